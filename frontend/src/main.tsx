import { render } from "preact";
import { App } from "./App";
import { session } from "./api/session";
import { loadLang } from "./lib/i18n";
import { startOutbox } from "./lib/outbox";
import { loadLastSync, syncVillage } from "./lib/sync";
import "./styles.css";

async function start() {
  await loadLang();
  const root = document.getElementById("app")!;
  root.textContent = "";
  render(<App />, root);
  startOutbox();
  void loadLastSync();
  if (session.get()) void syncVillage();
  // Keep the village current while the app is open, and whenever the connection returns.
  addEventListener("online", () => void syncVillage());
  setInterval(() => {
    if (navigator.onLine && document.visibilityState === "visible") void syncVillage();
  }, 5 * 60_000);
  if ("serviceWorker" in navigator && import.meta.env.PROD) {
    const register = () => void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
    if (document.readyState === "complete") register();
    else addEventListener("load", register);
  }
}

void start();
