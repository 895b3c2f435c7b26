// What each errand event says in the inbox (消息), and its dedupe key: one notice per person and event.
import type { Notice } from "~/notifications/notify.server";

interface Facts {
  errandId: number;
  villageId: number;
  what: string;
}

const link = (id: number) => `/errands/${id}`;

/** To the poster: a volunteer took the need. */
export function errandTaken(e: Facts & { volunteer: string; takenAt: number }): Notice {
  return {
    kind: "errand.taken", villageId: e.villageId, link: link(e.errandId), dedupeKey: `errand:${e.errandId}:taken:${e.takenAt}`,
    title: "代跑需求有人接了", body: `${e.volunteer} 接了“${e.what}”。办好后请确认，志愿者才能得到积分。`,
  };
}

/** To the volunteer: the errand was confirmed and the claim filed. */
export function errandConfirmed(e: Facts & { claimed: boolean }): Notice {
  return {
    kind: "errand.confirmed", villageId: e.villageId, link: link(e.errandId), dedupeKey: `errand:${e.errandId}:confirmed`,
    title: "代跑已确认完成", body: e.claimed ? `“${e.what}”已确认完成，积分申报已提交，村委审核并公示后入账。` : `“${e.what}”已确认完成。`,
  };
}

/** To the volunteer: the need was cancelled while they held it. */
export function errandCancelled(e: Facts & { reason: string }): Notice {
  return {
    kind: "errand.cancelled", villageId: e.villageId, link: link(e.errandId), dedupeKey: `errand:${e.errandId}:cancelled`,
    title: "你接的代跑已取消", body: `“${e.what}”已取消。原因：${e.reason}`,
  };
}

/** To the grid worker (and 联户长): nobody took the need within a day. */
export function errandUntaken(e: Facts & { household: string }): Notice {
  return {
    kind: "errand.untaken", villageId: e.villageId, link: link(e.errandId), dedupeKey: `errand:${e.errandId}:untaken`,
    title: "有代跑需求一天没人接", body: `${e.household}：“${e.what}”。请联系志愿者或自己帮一下。`,
  };
}
