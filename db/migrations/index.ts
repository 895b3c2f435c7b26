// Static list of migrations: bundled into the server build, so `npm start`
// needs no file-system scanning. Append only; never edit a landed entry.
import type { Migration } from "kysely";
import * as m0001 from "./0001_foundation";
import * as m0002 from "./0002_rules";
import * as m0003 from "./0003_store";
import * as m0004 from "./0004_claims";
import * as m0005 from "./0005_activities";
import * as m0006 from "./0006_sanitation";
import * as m0007 from "./0007_campaigns";
import * as m0008 from "./0008_photo_keys";
import * as m0009 from "./0009_stock_holds";
import * as m0010 from "./0010_sign_in_throttle";
import * as m0011 from "./0011_elder_mode";
import * as m0012 from "./0012_ledger_months";
import * as m0013 from "./0013_ranking_names";
import * as m0014 from "./0014_expiry_kind";
import * as m0015 from "./0015_expiry_settings";
import * as m0016 from "./0016_bulk_awards";
import * as m0017 from "./0017_notifications";
import * as m0018 from "./0018_appeals";
import * as m0019 from "./0019_offline_saves";
import * as m0020 from "./0020_household_groups";
import * as m0021 from "./0021_volunteer_teams";
import * as m0022 from "./0022_posts";
import * as m0023 from "./0023_errands";
import * as m0024 from "./0024_red_flags";
import * as m0025 from "./0025_claims_approved_index";

export const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_rules": m0002,
  "0003_store": m0003,
  "0004_claims": m0004,
  "0005_activities": m0005,
  "0006_sanitation": m0006,
  "0007_campaigns": m0007,
  "0008_photo_keys": m0008,
  "0009_stock_holds": m0009,
  "0010_sign_in_throttle": m0010,
  "0011_elder_mode": m0011,
  "0012_ledger_months": m0012,
  "0013_ranking_names": m0013,
  "0014_expiry_kind": m0014,
  "0015_expiry_settings": m0015,
  "0016_bulk_awards": m0016,
  "0017_notifications": m0017,
  "0018_appeals": m0018,
  "0019_offline_saves": m0019,
  "0020_household_groups": m0020,
  "0021_volunteer_teams": m0021,
  "0022_posts": m0022,
  "0023_errands": m0023,
  "0024_red_flags": m0024,
  "0025_claims_approved_index": m0025,
};
