// The printable compliance report of one system for a period: the system, its dossier and the
// approved version, the score with its denominator, every control with its result and evidence,
// and the alert statistics of the period. Print styles (compliance.css) drop the console chrome.
import { h, fmtTime } from '../dom.js';
import { t } from '../i18n.js';
import { get, qs } from '../api.js';
import { tx, framework, stateName, levelText, scoreBar, verdictPill, effectivePill, fmtDate, fileLink, duePill } from './compliance_common.js';

function kv(rows) {
  return h('table', { class: 'grid kv' }, h('tbody', null, rows.filter(Boolean).map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))));
}

export default {
  id: 'compliance-report', title: 'cp.report', nav: false,
  async render(main, ctx) {
    const id = ctx.arg;
    const r = await get(`/compliance/systems/${encodeURIComponent(id)}/report` + qs({ from_ms: ctx.params.from_ms, to_ms: ctx.params.to_ms }));
    const s = r.system;
    const d = r.dossier;
    const a = r.approved;
    const fw = d ? await framework(d.framework) : null;
    document.body.classList.add('cp-printing');
    main.append(h('div', { class: 'cp-report', id: 'cp-report' },
      h('p', { class: 'cp-noprint toolbar' },
        h('a', { href: `#/system/${s.id}?tab=report` }, '← ' + s.name), ' ',
        h('button', { type: 'button', id: 'cp-print', onclick: () => window.print() }, t('cp.report.print')), ' ',
        h('a', { class: 'button secondary', href: `/api/v1/compliance/systems/${s.id}/report.csv?from_ms=${r.from_ms}&to_ms=${r.to_ms}` }, t('cp.report.csv'))),
      h('h1', null, t('cp.report'), ': ', s.name),
      h('p', { class: 'muted' }, t('cp.report.period'), ': ', fmtDate(r.from_ms), ' – ', fmtDate(r.to_ms - 1), ' · ',
        t('cp.report.generated', { t: fmtTime(r.generated_ms) }), r.framework_name ? ' · ' + tx(r.framework_name) : ''),
      kv([[t('cp.owner'), s.owner], [t('cp.unit'), s.operating_unit], [t('cp.description'), s.description],
        [t('cp.ranges.short'), s.ranges.join(', ')],
        [t('cp.contacts'), s.contacts.map((c) => [c.name, c.role, c.email, c.phone].filter(Boolean).join(' · ')).join('; ') || '—']])));
    const rep = main.querySelector('#cp-report');
    if (d) {
      rep.append(h('h2', null, t('cp.tab.dossier')), kv([
        [t('cp.version', { v: d.version }), stateName(fw, d.state)],
        [t('cp.proposed'), levelText(d.proposed_level)],
        [t('cp.suggested', { n: d.suggestion ? d.suggestion.level : '—' }),
          d.suggestion ? d.suggestion.matched.map((m) => m.article + ' (' + levelText(m.level) + ')').join(', ') : ''],
        d.justification ? [t('cp.justification'), d.justification] : null,
        d.appraisal_opinion ? [t('cp.appraisal_opinion'), d.appraisal_opinion] : null,
        d.decision_number ? [t('cp.decision_number'), t('cp.decision', { n: d.decision_number, d: d.decision_date })] : null,
      ]));
    }
    if (a && (!d || a.version !== d.version)) {
      rep.append(h('h2', null, t('cp.approved_level')), kv([[t('cp.version', { v: a.version }), levelText(a.proposed_level)],
        [t('cp.decision_number'), t('cp.decision', { n: a.decision_number, d: a.decision_date })],
        [t('cp.reassessment_due', { d: fmtDate(a.reassessment_due_ms) }), duePill(a.due_status)]]));
    } else if (d && d.reassessment_due_ms) {
      rep.append(kv([[t('cp.reassessment_due', { d: fmtDate(d.reassessment_due_ms) }), duePill(d.due_status)]]));
    }
    const c = r.controls;
    rep.append(h('h2', null, t('cp.score')));
    if (!c.level) rep.append(h('p', { class: 'muted' }, t('cp.nolevel')));
    else {
      rep.append(h('p', null, scoreBar(c.score)), h('p', { class: 'muted' }, c.score.denominator));
      rep.append(h('table', { class: 'grid', id: 'cp-report-controls' },
        h('thead', null, h('tr', null, ['cp.ctl.id', 'cp.ctl.req', 'cp.ctl.live', 'cp.ctl.status', 'cp.ctl.effective', 'cp.ctl.evidence'].map((k) => h('th', null, t(k))))),
        h('tbody', null, c.controls.map((x) => h('tr', null, h('td', null, x.id), h('td', null, tx(x.text)),
          h('td', null, x.live ? [verdictPill(x.live.verdict), ' ', x.live.summary] : '—'),
          h('td', null, t('cp.st.' + (x.state.status || '')), x.state.reason ? ' — ' + x.state.reason : '', x.state.notes ? h('div', { class: 'muted' }, x.state.notes) : null),
          h('td', null, effectivePill(x.effective)),
          h('td', null, x.state.evidence.map((e) => h('div', null, e.kind === 'file' ? fileLink(e.ref, e.label) : (e.label || e.ref), ' ',
            h('span', { class: 'muted' }, e.kind === 'file' ? 'SHA-256 ' + e.ref : e.ref)))))))));
    }
    const al = r.alerts;
    rep.append(h('h2', null, t('cp.alerts.stats')));
    if (!al.known) rep.append(h('p', { class: 'muted' }, t('cp.alerts.unknown')));
    else {
      rep.append(kv([[t('cp.alerts.total'), String(al.total) + (al.partial ? ' (' + t('cp.alerts.partial') + ')' : '')],
        [t('cp.alerts.open'), String(al.open)],
        ...[1, 2, 3, 4].map((n) => [t('cp.alerts.sev', { n }), String(al.by_severity[n] || 0)]),
        al.median_triage_minutes !== undefined ? [t('cp.alerts.triage'), al.median_triage_minutes.toFixed(1) + ' / ' + al.p90_triage_minutes.toFixed(1)] : null]),
      al.top_categories.length ? h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, t('cp.category')), h('th', { class: 'num' }, t('common.count')))),
        h('tbody', null, al.top_categories.map((x) => h('tr', null, h('td', null, x.category), h('td', { class: 'num' }, String(x.count)))))) : null);
    }
    return () => document.body.classList.remove('cp-printing');
  },
};
