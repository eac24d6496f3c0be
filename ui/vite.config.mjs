// Vite configuration: the production build goes to ui/dist; `--mode ipc-mock` builds the test build (mocked IPC) to ui/dist-ipc-mock.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The same Content-Security-Policy the Tauri window applies, put into the test build so the
// browser tests fail on anything the real app would block (inline styles, eval, remote loads).
const TEST_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export default defineConfig(({ mode }) => ({
  root: ".",
  base: "./",
  plugins: [
    react(),
    {
      name: "clinic-desk-test-csp",
      transformIndexHtml(html) {
        if (mode !== "ipc-mock") return html;
        return html.replace(
          "<head>",
          `<head>\n    <meta http-equiv="Content-Security-Policy" content="${TEST_CSP}" />`,
        );
      },
    },
  ],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: mode === "ipc-mock" ? "dist-ipc-mock" : "dist",
    emptyOutDir: true,
    target: "es2021",
    sourcemap: false,
    // No inline assets: the CSP allows images from 'self' and data:, fonts from 'self' only.
    assetsInlineLimit: 0,
  },
}));
