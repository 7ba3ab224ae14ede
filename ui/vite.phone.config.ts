import { defineConfig } from 'vite';

// The phone pages the station serves (docs/station.md, "Phones"): the inspectors' app at /m/
// the citizens' page at /c/ and the certificate page at /ca/, built into dist-phone/ (`npx vite build --config
// vite.phone.config.ts`); `griddesk serve --web ui/dist-phone` serves them. Nothing here points
// at a CDN: the phones on the station's network have no internet.
const at = (p: string): string => decodeURIComponent(new URL(p, import.meta.url).pathname);

export default defineConfig({
  root: at('./phone'),
  base: '/',
  clearScreen: false,
  build: {
    target: 'es2020',
    outDir: at('./dist-phone'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: {
        m: at('./phone/m/index.html'),
        c: at('./phone/c/index.html'),
        ca: at('./phone/ca/index.html'),
      },
    },
  },
});
