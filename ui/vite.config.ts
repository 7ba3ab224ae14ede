import { defineConfig } from 'vite';

// The app is served by Tauri from the embedded `dist/`; no request may leave the machine, so
// nothing here points at a CDN.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
});
