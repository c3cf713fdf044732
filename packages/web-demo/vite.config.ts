import { defaultClientConditions, defineConfig } from 'vite';

// Workspace packages resolve to their TypeScript sources: no build step needed.
export default defineConfig({
  root: import.meta.dirname,
  resolve: { conditions: ['@convergent/source', ...defaultClientConditions] },
  server: { host: '127.0.0.1' },
  clearScreen: false,
});
