import { register } from 'node:module';

/**
 * `node --import dist/e2e/ui/standin/register.js dist/main/main.js`: the real Electron main,
 * with `import … from 'electron'` answered by the stand-in module next to this file.
 */
register('./loader.js', import.meta.url);
