/**
 * zod's functional "mini" build keeps each Lambda bundle small (classic zod adds ~440 KB: every
 * locale and JSON-schema support). Schema modules import `* as z from "zod/mini"` themselves
 * (a re-exported namespace would defeat tree-shaking) and import this module once for its side
 * effect: English error messages.
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());
