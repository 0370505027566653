/**
 * The page's only stylesheet, inlined and allowed by its hash in the Content-Security-Policy (no
 * style attributes anywhere: CSP would block them). Calm neutrals; red and amber only for what
 * needs action; a print layout without the controls.
 */
export const PAGE_STYLE = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1c2530;--muted:#5d6978;--faint:#8a95a3;--line:#dde2e8;--line2:#eceff3;
--red:#b42318;--red-bg:#fdeceb;--red-fill:#d14a3b;--amber:#9a5b00;--amber-bg:#fff3dc;--amber-fill:#e29a2d;
--ok:#2f6f4e;--ok-fill:#8bb8a0;--blue:#4a6f96;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;color-scheme:light}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink)}
main{max-width:1240px;margin:0 auto;padding:24px 20px 40px}
header h1{font-size:22px;font-weight:650;margin:0 0 4px;letter-spacing:-.01em}
.meta{color:var(--muted);margin:0;font-size:13px}
.meta code{font-family:var(--mono);font-size:12px;color:var(--ink)}
h2{font-size:15px;font-weight:650;margin:0 0 2px}
.lead{color:var(--muted);margin:0 0 12px;font-size:13px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin-top:16px}
.summary{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:10px;background:none;border:0;padding:0}
.card{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--line);border-radius:8px;padding:10px 12px 11px}
.card.red{border-left-color:var(--red-fill)}.card.amber{border-left-color:var(--amber-fill)}.card.calm{border-left-color:var(--ok-fill)}
.card .k{font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);font-weight:600}
.card .v{font-size:26px;font-weight:650;line-height:1.15;margin-top:2px;font-variant-numeric:tabular-nums}
.card .v small{font-size:14px;color:var(--muted);font-weight:500}
.card .d{font-size:12px;color:var(--muted);margin-top:2px}
.card.red .v{color:var(--red)}.card.amber .v{color:var(--amber)}
.card.unknown{border-left-style:dashed;border-left-color:var(--faint)}.card.unknown .v{color:var(--faint)}
.d .u{color:var(--muted);font-style:italic}
.d .r{color:var(--red);font-weight:600}.d .a{color:var(--amber);font-weight:600}
svg.timeline{width:100%;height:auto;display:block;font:11px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
.z-expired{fill:#fbe3e0}.z-soon{fill:var(--red-bg)}.z-later{fill:var(--amber-bg)}
.axis{stroke:#9aa4b0;stroke-width:1}
.today{stroke:var(--ink);stroke-width:1.5}.window{stroke:#b9a48a;stroke-dasharray:3 3}.year{stroke:var(--line)}
.tick-label{fill:var(--ink);font-weight:600}.tick-sub{fill:var(--faint);font-size:10px}.muted{fill:var(--muted)}
.mark{stroke:#fff;stroke-width:1}
.mark.fine{fill:var(--blue);fill-opacity:.75}.mark.later{fill:var(--amber-fill)}.mark.soon,.mark.expired{fill:var(--red-fill)}
.mark.private{fill:#fff;stroke-width:2}.mark.private.fine{stroke:var(--blue)}.mark.private.later{stroke:var(--amber-fill)}.mark.private.soon,.mark.private.expired{stroke:var(--red-fill)}
.more{font-size:10px;font-weight:700;fill:var(--muted)}.more.soon,.more.expired{fill:var(--red)}.more.later{fill:var(--amber)}
.bar{fill:#d5dde6}.bar:hover{fill:#b8c5d3}
.leader{stroke:#c4cbd3;stroke-width:1}
.label{fill:var(--ink)}.label.soon,.label.expired{fill:var(--red);font-weight:600}.label.later{fill:var(--amber);font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:16px;color:var(--muted);font-size:12px;margin:6px 0 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.legend .l-bar{border-radius:2px;background:#d5dde6;height:12px;width:8px}
.legend .l-fine{background:var(--blue)}.legend .l-later{background:var(--amber-fill)}.legend .l-soon{background:var(--red-fill)}.legend .l-private{border:2px solid var(--blue);background:#fff}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line2);vertical-align:top}
thead th{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);white-space:nowrap}
td.n,th.n{text-align:right}
.soonlist{margin-top:14px}
.soonlist td:first-child{white-space:nowrap}
.sub{display:block;color:var(--muted);font-size:12px;overflow-wrap:anywhere}
code,.mono{font-family:var(--mono);font-size:12px}
.t-expired,.t-soon{color:var(--red);font-weight:600}.t-later{color:var(--amber);font-weight:600}.t-quiet{color:var(--faint)}
.gridwrap{display:inline-block;max-width:100%;overflow-x:auto;border:1px solid var(--line2);border-radius:6px;vertical-align:top}
table.grid{width:auto}
.grid th,.grid td{padding:3px 4px;border-bottom:1px solid var(--line2);text-align:center}
.grid thead th{vertical-align:bottom;text-transform:none;letter-spacing:0;font-size:12px;color:var(--ink);font-weight:500;padding:6px 4px}
.grid thead th.col span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;max-height:150px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.grid th.host{text-align:left;font-weight:500;white-space:nowrap;padding-right:14px;position:sticky;left:0;background:var(--card)}
.grid tr.gaps th,.grid tr.gaps td{font-size:11px;color:var(--muted);border-bottom:1px solid var(--line)}
.grid tr.gaps td.r{color:var(--red);font-weight:700}
.grid td{width:26px;min-width:26px;font-size:13px;line-height:1}
.c-present{color:#a9c9b6;font-size:9px}.c-otherAlias{color:var(--blue)}
.c-different{color:var(--amber);background:var(--amber-bg);font-weight:700}.c-missing{color:var(--red);background:var(--red-bg);font-weight:700;font-size:14px}
.allgood{margin:10px 0 0;color:var(--muted);font-size:13px}
details summary{cursor:pointer;color:var(--blue)}
.controls{display:flex;gap:10px;align-items:center;margin:0 0 10px;flex-wrap:wrap}
.controls input,.controls select{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--ink)}
.controls input{width:260px}
.controls .count{color:var(--muted);font-size:13px;margin-left:auto}
#hosts thead th button{all:unset;cursor:pointer}
#hosts thead th button:focus-visible{outline:2px solid var(--blue);outline-offset:2px}
#hosts thead th[aria-sort=ascending] button::after{content:" \\25B2";font-size:9px}
#hosts thead th[aria-sort=descending] button::after{content:" \\25BC";font-size:9px}
#hosts tbody tr:hover{background:#f9fafb}
#hosts tbody tr.rank2 td:first-child{box-shadow:inset 3px 0 0 var(--red-fill)}
#hosts tbody tr.rank1 td:first-child{box-shadow:inset 3px 0 0 var(--amber-fill)}
#hosts td.host{font-weight:600;white-space:nowrap}
#hosts thead th{white-space:normal;vertical-align:bottom}
#hosts th,#hosts td{padding-left:8px;padding-right:8px}
#hosts td.err{color:var(--red);font-size:13px}
#hosts td.expiry,#hosts td.drift{white-space:nowrap}
#hosts th:nth-child(1){width:185px}#hosts th:nth-child(2){width:84px}#hosts th:nth-child(3){width:60px}#hosts th:nth-child(4){width:160px}#hosts th:nth-child(5){width:108px}#hosts th:nth-child(6){width:120px}#hosts th:nth-child(7){width:95px}#hosts th:nth-child(8){width:200px}
#hosts .chip{margin-right:2px}
#hosts .failed{display:block;color:var(--red);font-size:11px;font-weight:700;letter-spacing:.04em}
#hosts td.path{max-width:170px}
#hosts tr.more td{padding:0 8px 6px 14px;border-bottom:1px solid var(--line2)}
#hosts tr.rank2+tr.more td{box-shadow:inset 3px 0 0 var(--red-fill)}#hosts tr.rank1+tr.more td{box-shadow:inset 3px 0 0 var(--amber-fill)}
#hosts tbody tr:has(+tr.more) td{border-bottom:0}
details.why summary{font-size:12px;color:var(--blue)}
details.why h3{font-size:12px;font-weight:600;margin:6px 0 2px;color:var(--ink)}
details.why ul{margin:0;padding-left:18px;font-size:12px;color:var(--muted);overflow-wrap:anywhere}
details.why li{margin:1px 0}
.chip{display:inline-block;padding:0 5px;border-radius:9px;font-size:12px;font-weight:600;margin:0 4px 2px 0;white-space:nowrap}
.chip.e{background:var(--red-bg);color:var(--red)}.chip.w{background:var(--amber-bg);color:var(--amber)}.chip.a{background:#eef1f4;color:var(--muted)}
.quiet{color:var(--faint)}
.path{font-family:var(--mono);font-size:12px;word-break:break-all}
footer{color:var(--faint);font-size:12px;margin-top:18px}
.summary.c7{grid-template-columns:repeat(7,minmax(0,1fr))}
table.egrid{width:auto}
.egrid th,.egrid td{padding:5px 10px;border-bottom:1px solid var(--line2);text-align:left;white-space:nowrap}
.egrid thead th{text-transform:none;letter-spacing:0;font-size:12px;color:var(--ink);font-weight:500;vertical-align:bottom}
.egrid th.host{font-weight:500;position:sticky;left:0;background:var(--card)}
.egrid td{font-size:13px;min-width:96px}
td.e-yes{color:#6f9c83}td.e-no{color:var(--red);background:var(--red-bg);font-weight:700}td.e-unknown{color:var(--amber);background:var(--amber-bg);font-weight:600}
.legend .e-yes{color:#6f9c83}.legend .e-no{color:var(--red)}.legend .e-unknown{color:var(--amber)}.legend .a-no{color:var(--red)}
.egrid .after{display:block;font-size:11px;font-weight:600}.after.a-no{color:var(--red)}.after.a-unknown{color:var(--amber)}.after.a-yes{color:var(--ok)}
.whylist{margin-top:14px}
.whylist td.target{white-space:nowrap}.whylist td.n{max-width:220px}.whylist .nw{white-space:nowrap}.whylist .mono{word-break:break-all}
.whylist td.why p{margin:0 0 3px}.whylist td.why p.fix{color:var(--ok)}
.whylist .verdict{white-space:nowrap;font-weight:700;font-size:12px;padding:1px 6px;border-radius:9px}
.verdict.e-no{color:var(--red);background:var(--red-bg)}.verdict.e-unknown{color:var(--amber);background:var(--amber-bg)}
@media (max-width:1100px){.summary{grid-template-columns:repeat(3,minmax(0,1fr))}.summary.c7{grid-template-columns:repeat(4,minmax(0,1fr))}}
@media (max-width:960px){
main{padding:16px 12px 32px}section{padding:12px}
#hosts th,#hosts td{padding-left:5px;padding-right:5px;font-size:13px}
#hosts th:nth-child(n){width:auto}
#hosts td.host{white-space:normal;overflow-wrap:break-word;min-width:90px}
#hosts td.expiry,#hosts td.drift{white-space:normal}
#hosts td.path{max-width:110px}
#hosts .chip{display:block;width:max-content}
.controls input{width:100%}
}
@media print{
html,body{background:#fff}main{max-width:none;padding:0}
section{border:0;padding:8px 0;break-inside:auto}
.controls,details.allgood summary{display:none}
details.why::details-content{content-visibility:visible;display:block}details.why summary{color:var(--ink);list-style:none}
details.allgood::details-content{content-visibility:visible;display:block}
.card{break-inside:avoid}
#hosts tbody tr:hover{background:none}
thead{display:table-header-group}tr{break-inside:avoid}
.gridwrap{overflow:visible;border:0}
a{color:inherit;text-decoration:none}
}
`;
