// Node stands in for the phone: IndexedDB from fake-indexeddb, and a page origin.
import "fake-indexeddb/auto";

Object.assign(globalThis, { location: { origin: "http://test" } });
