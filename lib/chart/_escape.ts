export { escapeHtml as escapeText } from "../_html.ts";
