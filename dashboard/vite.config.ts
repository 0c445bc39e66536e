import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into dashboard/dist, which the Hearth server serves at / (no separate server to run).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The budget stated in the README; the build warns past it.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // Charts are the heaviest part and change least: their own cacheable chunk.
        manualChunks: (id) => (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') ? 'charts' : id.includes('node_modules') ? 'vendor' : undefined),
      },
    },
  },
  // The closed lists (roles, order statuses …) are imported from the server's sources, one directory up.
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/v1': 'http://127.0.0.1:3000' }, fs: { allow: ['..'] } },
});
