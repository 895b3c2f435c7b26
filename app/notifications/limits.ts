// Client-safe numbers of the inbox (the header and the server both use them).
/** The header says "99+" past this: counting further would only cost time on every page. */
export const UNREAD_CAP = 99;
