// Entry point: (in the test build only) installs the mocked backend, then sets up i18n and mounts the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ToastProvider } from "./components/Toast";
import { initI18n } from "./i18n";
import "./styles/base.css";
import "./styles/controls.css";
import "./styles/feedback.css";
import "./styles/data.css";
import "./styles/auth.css";
import "./styles/forms.css";
import "./styles/shell.css";
import "./styles/patients.css";
import "./styles/admin.css";
import "./styles/sync.css";
import "./styles/schedule.css";

async function start(): Promise<void> {
  // Statically false in the production build, so the mock and its import are left out of ui/dist.
  if (import.meta.env.MODE === "ipc-mock") {
    const { installMockBackend } = await import("./testing/mockBackend");
    installMockBackend();
  }
  initI18n();
  const root = document.getElementById("root");
  if (!root) throw new Error("no #root element");
  createRoot(root).render(
    <StrictMode>
      <ToastProvider>
        <App />
      </ToastProvider>
    </StrictMode>,
  );
}

void start();
