// What the people/admin forms accept, shared by the server's schemas and the pages' inputs (no server
// code here): a box never lets an admin type more than the server keeps, nor cuts them off earlier.

/** 与户主关系: the options of every relation select, and all the server accepts. */
export const RELATIONS = ["户主", "配偶", "子女", "儿媳", "女婿", "父母", "公婆", "岳父母", "孙子女", "兄弟姐妹", "其他"] as const;
export type Relation = (typeof RELATIONS)[number];

/** The longest text each field takes, in characters. */
export const TEXT_LIMITS = {
  householdNumber: 20,
  address: 100,
  /** A member's, a staff login's or an admin's name typed on a form. */
  personName: 30,
  /** A name in the roster file (the column's description says 20). */
  rosterName: 20,
  gridName: 20,
  villageName: 30,
  /** Search boxes: longer terms are cut, not refused. */
  search: 50,
} as const;

/**
 * Boxes whose value the server reads with spaces dropped (a phone typed as "139 1234 5678", a
 * village code, a number of days): the box leaves room for the spaces; the schema checks the rest
 * (11 digits, 2 to 10 letters or digits, 0 to 30).
 */
export const SPACED_INPUT_LIMITS = { phone: 20, villageCode: 20, noticeDays: 5 } as const;
