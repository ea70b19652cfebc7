import { securityHubExporter } from "../shared/edges/lambda/securityhub-exporter-entry.js";
import { powertoolsLogger } from "../shared/edges/log/log.js";

/**
 * Optional (`--param="securityHub=true"`): imports every published alert's findings into AWS
 * Security Hub in ASFF. Fed by its own queue on the alert topic (see
 * shared/edges/lambda/securityhub-exporter-entry.ts); it runs no rule and acts on nothing.
 */
export const handler = securityHubExporter(powertoolsLogger());
