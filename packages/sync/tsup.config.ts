import base from '../../tsup.config.base';
import { defineConfig } from 'tsup';

// `ws` stays external: the relay loads it only in Node.
export default defineConfig({ ...base, external: ['ws'] });
