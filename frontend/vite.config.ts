/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Flask app serves /api, /socket.io and /share; in development Vite proxies them.
const backend = process.env.TELEHEALTH_BACKEND_URL ?? 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  // Cornerstone's DICOM image loader ships web workers and WASM codecs that Vite must not pre-bundle.
  optimizeDeps: {
    exclude: ['@cornerstonejs/dicom-image-loader'],
    include: ['dicom-parser'],
  },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': backend,
      '/share': backend,
      '/auth': backend,
      '/oauth': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Cornerstone makes a multi-megabyte chunk; its source map would triple the build time.
    sourcemap: false,
    chunkSizeWarningLimit: 6000,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
