// The page registry. A page is a module exporting { id, title, nav, roles, render(main, ctx) };
// render may return a cleanup function (stop timers, key handlers). To add a page: write
// pages/NAME.js (its strings with addMessages, both languages), import it here and put it in the
// list; navigation and role checks follow from the entry. The server still checks every API call.
import dashboard from './dashboard.js';
import alerts from './alerts.js';
import alert from './alert.js';
import sensors from './sensors.js';
import rules from './rules.js';
import audit from './audit.js';
import accounts from './accounts.js';
import compliance from './compliance.js';
import system from './system.js';
import complianceReport from './compliance_report.js';

export const pages = [dashboard, alerts, alert, sensors, rules, compliance, system, complianceReport, audit, accounts];
