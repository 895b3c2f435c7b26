// The posts each admin page accepts, one zod schema per intent (a discriminated union on "intent").
// Kept in a server module: routes use them only inside actions, so no zod reaches the browser bundle.
import { z } from "zod";
import { formIdSchema } from "~/platform/forms.server";
import { householdFieldsSchema, memberFieldsSchema } from "./household-admin.server";
import { memberLoginSchema, resetPasswordSchema, staffLoginSchema, villageRolesSchema } from "./staff.server";
import { gridNameSchema } from "./village-admin.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";
const memberRef = { memberId: formIdSchema };
const userRef = { userId: formIdSchema };

/** The household page: household fields, members, and members' logins. */
export const householdPageIntent = z.discriminatedUnion(
  "intent",
  [
    householdFieldsSchema.extend({ intent: z.literal("household.update") }),
    memberFieldsSchema.extend({ intent: z.literal("member.add") }),
    memberFieldsSchema.extend({ intent: z.literal("member.update"), ...memberRef }),
    z.object({ intent: z.literal("member.deactivate"), ...memberRef }),
    z.object({ intent: z.literal("member.activate"), ...memberRef }),
    memberLoginSchema.extend({ intent: z.literal("login.create"), ...memberRef }),
    resetPasswordSchema.extend({ intent: z.literal("login.reset"), ...memberRef }),
    z.object({ intent: z.literal("login.disable"), ...memberRef }),
    z.object({ intent: z.literal("login.enable"), ...memberRef }),
  ],
  { error: BAD_REQUEST },
);

/** The accounts page: create a staff login, change roles, reset a password, disable or enable. */
export const usersPageIntent = z.discriminatedUnion(
  "intent",
  [
    staffLoginSchema.extend({ intent: z.literal("user.create") }),
    z.object({ intent: z.literal("user.roles"), ...userRef, roles: villageRolesSchema }),
    resetPasswordSchema.extend({ intent: z.literal("user.reset"), ...userRef }),
    z.object({ intent: z.literal("user.disable"), ...userRef }),
    z.object({ intent: z.literal("user.enable"), ...userRef }),
  ],
  { error: BAD_REQUEST },
);

/** The grids page: add or rename. */
export const gridsPageIntent = z.discriminatedUnion(
  "intent",
  [gridNameSchema.extend({ intent: z.literal("grid.create") }), gridNameSchema.extend({ intent: z.literal("grid.rename"), gridId: formIdSchema })],
  { error: BAD_REQUEST },
);
