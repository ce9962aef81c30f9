/**
 * Renderer build: `vite build --config renderer/vite.config.ts` → dist/renderer. Relative
 * asset URLs (base './') so the same files load from file:// in Electron and from the
 * browser host; everything is bundled (no CDN, no external fonts); source maps for
 * debugging a responder's report.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Vite substitutes import.meta.dirname when it loads the config; no node:* import needed.
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // Electron 45 ships Chromium 140+; the browser host targets current Chromium.
    target: 'es2022',
    // One chunk per entry keeps file:// loading simple; vis-network makes the bundle large.
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
});
