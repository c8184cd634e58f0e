// Text from the server goes into the page's HTML through `escape` only:
// names, rule texts and scenario notes are data, never markup.
export const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
