// The page registry. A page is a module exporting { id, title, nav, roles, render(main, ctx) };
// render may return a cleanup function (stop timers). To add a page: write pages/NAME.js, import
// it here and put it in the list; navigation and role checks follow from the entry.
import audit from './audit.js';
import accounts from './accounts.js';

export const pages = [audit, accounts];
