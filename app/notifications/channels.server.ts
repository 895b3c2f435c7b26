// How a notice reaches a person (decision 0034). Today one channel: the in-app inbox, whose delivery
// IS the notifications row, written in the event's own unit of work by notify.server.ts. An SMS or
// WeChat sender is another Channel, registered here and driven by an outbox job outside any unit of
// work (a network call must never hold a transaction open, nor run again when PostgreSQL retries
// one). None is reachable from here, so none is registered and nothing pretends to send.

export interface Recipient {
  userId: number;
  /** For a text message; the inbox does not need it. */
  phone: string;
}

/** A notice as stored: what a channel delivers. */
export interface StoredNotice {
  id: number;
  userId: number;
  villageId: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: number;
}

export interface Channel {
  /** Names the channel in a delivery record ("inbox", later "sms", "wechat"). */
  name: string;
  /**
   * Delivers one notice to one person. For an outside sender this runs in the outbox job, after the
   * event committed, and must be safe to call twice for the same notice (the job may be cut short
   * between sending and recording).
   */
  deliver(n: StoredNotice, to: Recipient): Promise<void>;
}

/** The inbox: the row is already there when the event commits; there is nothing more to send. */
export const inboxChannel: Channel = {
  name: "inbox",
  async deliver() {},
};

/** The channels notices go out on. An outside channel added here also needs the outbox job (0034). */
export const CHANNELS: readonly Channel[] = [inboxChannel];

/** Channels that send outside the app: none yet, so no outbox job is scheduled. */
export function outsideChannels(): Channel[] {
  return CHANNELS.filter((c) => c !== inboxChannel);
}
