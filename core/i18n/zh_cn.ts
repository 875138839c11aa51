import { en, type Messages } from "./en.ts";
export const zhCN: Messages = en;
