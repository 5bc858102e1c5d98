// Whether the phone has a connection, as the browser tells it.
import { createStore } from "./store";

export const online = createStore(typeof navigator === "undefined" ? true : navigator.onLine);
if (typeof addEventListener === "function") {
  addEventListener("online", () => online.set(true));
  addEventListener("offline", () => online.set(false));
}
