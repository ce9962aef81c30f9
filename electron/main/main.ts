/**
 * Entry point of the desktop app (package.json "main": dist/electron/main/main.js).
 * An ES module: Electron ≥ 28 loads the main process with Node's ESM loader when the
 * package is "type": "module". Everything that must happen before 'ready' (privileged
 * scheme, single-instance lock, open-file) runs synchronously inside startShell.
 */
import { defaultShellOptions, startShell } from './shell.js';

startShell(defaultShellOptions(import.meta.dirname));
