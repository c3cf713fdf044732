// Release check, run by `pnpm check` after the build: packs every published package
// with `pnpm pack` (as `pnpm publish` would), checks what each tarball holds, installs
// all of them with npm into a scratch app in a temporary folder, offline, and uses
// them there from ESM and from CommonJS (app/use.mjs, app/use.cjs).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'convergent-pack-'));
const problems = [];
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

try {
  const packages = readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir, json: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
    .filter(({ json }) => !json.private);
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  const tarballs = [];
  const external = new Map(); // name -> folder of the copy the workspace installed

  for (const { dir, json } of packages) {
    const source = join(root, 'packages', dir);
    const packed = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', join(work, 'tarballs')], source));
    tarballs.push(packed.filename);
    const unpacked = join(work, 'unpacked', dir);
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['-xzf', packed.filename, '-C', unpacked, '--strip-components=1'], root);
    const manifest = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
    const files = new Set(packed.files.map((file) => file.path));
    const expect = (ok, what) => ok || problems.push(`${json.name}: ${what}`);

    for (const file of ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'])
      expect(files.has(file), `tarball has no ${file}`);
    expect(files.has('LICENSE') && readFileSync(join(unpacked, 'LICENSE'), 'utf8') === license, 'LICENSE differs from the root LICENSE');
    expect(!JSON.stringify(manifest).includes('workspace:'), 'a workspace: protocol is left in package.json');
    expect(manifest.repository?.directory === `packages/${dir}`, 'repository.directory is not its folder');
    expect(manifest.homepage && manifest.bugs && manifest.license === 'MIT', 'homepage, bugs or license missing');
    expect(!/\]\((?!https?:\/\/|#)/.test(readFileSync(join(unpacked, 'README.md'), 'utf8')), 'README has a relative link, which breaks on the registry');
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (name.startsWith('@convergent/')) expect(/^\^\d/.test(range), `${name} is pinned (${range}), not a caret range`);
      else if (!manifest.peerDependenciesMeta?.[name]?.optional) external.set(name, realpathSync(join(source, 'node_modules', name)));
    }
  }

  // npm cannot reach the pnpm store, so the few external runtime dependencies are
  // tarred from the copies the workspace installed (each holds just its published
  // files): the install below then needs no network.
  // ...with their own dependencies, found the way Node finds them from the copy's folder.
  const locate = (from, name) => {
    for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
      const candidate = join(dir, basename(dir) === 'node_modules' ? '' : 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    throw new Error(`pack-test: cannot find ${name}, a dependency of ${from}`);
  };
  for (const [, folder] of external) {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    for (const name of Object.keys(manifest.dependencies ?? {})) if (!external.has(name)) external.set(name, locate(folder, name));
  }
  for (const [name, folder] of external) {
    const staging = join(work, 'external', name);
    cpSync(folder, join(staging, 'package'), { recursive: true, dereference: true });
    run('tar', ['-czf', `${staging}.tgz`, '-C', staging, 'package'], root);
    tarballs.push(`${staging}.tgz`);
  }

  const app = join(work, 'app');
  cpSync(join(root, 'test/package/app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '0.0.0', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--cache', join(work, 'npm-cache'), ...tarballs], app);

  const env = { ...process.env, CONVERGENT_PACKAGES: JSON.stringify(packages.map(({ json }) => json.name)) };
  for (const script of ['use.mjs', 'use.cjs'])
    process.stdout.write(execFileSync(process.execPath, [script], { cwd: app, env, encoding: 'utf8' }));

  console.log(`pack-test: ${packages.length} packages packed; installed with npm (+ ${[...external.keys()].join(', ')}) and used from ESM and CJS`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
