// Names the scoring pages' service worker and the page's queue share (no server code here).
/** The Cache API cache of the scoring pages and their JS/CSS; a new name drops the old one. */
export const OFFLINE_CACHE = "jifen-offline-1";
/** The IndexedDB database of saves kept on the phone. */
export const OFFLINE_DB = "jifen-offline";
