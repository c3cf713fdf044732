import type { Reporter, TestModule } from 'vitest/node';

// Prints, per test file, each law's outcome and time, and a total per file: the
// figures docs/reliability.md records.
export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: string[] = ['| file | test | result | seconds |', '| --- | --- | --- | ---: |'];
    for (const module of modules) {
      let total = 0;
      let failed = 0;
      const tests = [...module.children.allTests()];
      for (const test of tests) {
        const seconds = (test.diagnostic()?.duration ?? 0) / 1000;
        const state = test.result().state;
        total += seconds;
        if (state !== 'passed') failed++;
        rows.push(`| ${module.moduleId.replace(`${process.cwd()}/`, '')} | ${test.fullName} | ${state} | ${seconds.toFixed(1)} |`);
      }
      rows.push(`| ${module.moduleId.replace(`${process.cwd()}/`, '')} | **all ${tests.length}** | **${failed} failed** | **${total.toFixed(1)}** |`);
    }
    process.stdout.write(`\n${rows.join('\n')}\n`);
  }
}
