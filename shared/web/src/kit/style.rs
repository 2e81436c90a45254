//! The one stylesheet of every page, sent inline in a `<style>` element: the pages need no
//! other request and no build step, and the Content-Security-Policy allows inline styles
//! (`style-src 'unsafe-inline'`) but no script. Nothing in the kit writes a `style="…"`
//! attribute: every look is a class here, so a page's markup stays data.
//!
//! It starts from the sign-in pages' stylesheet (same colours, fonts, card, banners, fields,
//! buttons, tables that collapse into blocks under 560px, badges, facts, codes, QR) and keeps
//! every class the hand-built pages use, so a page ported to the kit keeps its look.
//!
//! Inline styles found in the hand-built pages and the class that replaces each:
//!
//! | inline style (where)                                                     | class            |
//! |--------------------------------------------------------------------------|------------------|
//! | `GRID` `display:grid;…minmax(160px,1fr)…` (admin-users filter/invite)    | `.grid`          |
//! | `PAIR` `display:grid;…minmax(220px,420px)…` (admin-users edit)           | `.pair`          |
//! | `CONTROL`, `CONTROL_STYLE`, `SELECT_STYLE` (selects, search/date inputs) | `.control` (and every `select`, `textarea`, other inputs) |
//! | `FACTS_STYLE` `grid-template-columns:max-content minmax(0,1fr);overflow-wrap:anywhere` | folded into `.facts` |
//! | `margin:18px 0` on the "no results" paragraph                            | `.empty`         |
//! | `padding:16px 18px` on the confirm and retention banners                 | `.banner.roomy`  |
//! | `margin-left:0` on a status badge                                        | `.flush` (kit badges with a tone have it already) |
//! | `background:#fdecec;color:#a12020` and the other status colours on badges | `.badge[data-tone=danger]` … `[data-tone=success]` |
//! | `margin:0`, `margin-top:12px`/`14px`, `margin:16px 0 0`, `margin:0 0 10px`/`12px`, `margin-bottom:8px`, `margin:0 0 2px` | `.m-0`, `.mt-1` (8px), `.mt-2` (12px), `.mt-3` (16px), `.mb-1` (8px), `.mb-2` (12px), `.mb-0` |
//! | `margin:0;font-size:1.2rem;font-weight:700`                              | `.big`           |
//! | `white-space:nowrap` on a cell                                           | `.nowrap`        |
//! | `overflow-x:auto` around a table                                         | `.table`         |
//! | `width:auto` on a primary button                                         | `.auto`          |
//! | `width:100%`, `width:240px`, `max-width:320px`, `max-width:420px` on controls | `.w-full`, `.w-240`, `.mw-320`, `.mw-420` |
//! | tab links (`padding:10px 12px;…border-bottom:3px solid …`) and their nav  | `.tabs`          |
//! | `list-style:none;padding:0;…` steps list, `margin:4px 0` items, `color:var(--ok)` ✓ / `color:var(--muted)` ○ | `.steps`, `.steps .done`, `.steps .todo` |
//! | colour swatch `display:inline-block;width:10px;height:10px;…`            | `.swatch` with `.c1`…`.c6` |
//! | the progress bar SVG's `display:block;max-width:520px;…`                 | `progress` (and `.bar` for an SVG kept as it is) |
//! | `background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;padding:12px 14px` | `.callout` |
//! | `display:flex;gap:8px;align-items:center;flex-wrap:nowrap` (inline role form) | `.inline`   |
//! | `justify-content:space-between` on a `.row`                              | `.between`       |
//! | `margin-top:16px;align-items:center` on the pager nav                    | `.pager`         |
//! | `align-items:flex-end;margin:18px 0 8px` on a filter form                | `.filters`       |
//! | `border:0;padding:0;margin:0;min-width:0` on a fieldset                  | `.bare`          |

pub const STYLESHEET: &str = r#"
:root{--ink:#172033;--muted:#5b6478;--line:#d6dbe6;--soft:#edf0f5;--bg:#f3f5fa;--card:#fff;--brand:#2f5be7;--brand-dark:#2448bd;--brand-soft:#e8eefc;--focus:#9db6ff;--danger:#c62828;--ok:#1b7f4c;--warn:#b27300;--side:#f7f8fb;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--brand);text-underline-offset:2px}
a:hover{color:var(--brand-dark)}
code{font-family:var(--mono);font-size:.88em;background:#f3f5f9;border:1px solid #e6e9f0;border-radius:5px;padding:1px 5px;overflow-wrap:anywhere}
.top{width:100%;max-width:760px;padding:32px 20px 16px;display:flex;justify-content:center}
.brand{display:inline-flex;align-items:center;gap:10px;font-weight:700;font-size:1.35rem;letter-spacing:-.01em;color:var(--ink);text-decoration:none}
.brand:hover{color:var(--ink)}
.mark{display:inline-grid;place-items:center;width:34px;height:34px;border-radius:9px;background:linear-gradient(135deg,#3b6cf6,#2242b3);color:#fff;font-size:1.05rem}
.card{width:100%;max-width:440px;background:var(--card);border:1px solid #e3e7ef;border-radius:14px;box-shadow:0 1px 2px rgba(16,24,40,.05),0 10px 30px rgba(16,24,40,.08);padding:32px 36px}
.card.wide{max-width:860px}
.card.full{max-width:1160px}
.card.wide form .field{max-width:420px}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 6px;letter-spacing:-.015em}
h2{font-size:1.1rem;margin:30px 0 10px}
h3{font-size:.95rem;margin:22px 0 8px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.ua{max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
p{margin:0 0 14px}
.lead{color:var(--muted);margin-bottom:22px}
.muted{color:var(--muted)}
.small{font-size:.875rem}
.big{margin:0;font-size:1.2rem;font-weight:700}
.nowrap{white-space:nowrap}
.m-0{margin:0}.mb-0{margin-bottom:0}.mt-1{margin-top:8px}.mt-2{margin-top:12px}.mt-3{margin-top:16px}.mb-1{margin-bottom:8px}.mb-2{margin-bottom:12px}
.w-full{width:100%}.w-240{width:240px;max-width:100%}.mw-320{max-width:320px}.mw-420{max-width:420px}
.empty{margin:18px 0;color:var(--muted)}
.field{margin:0 0 16px}
label{display:block;font-weight:600;font-size:.92rem;margin:0 0 6px}
input[type=text],input[type=email],input[type=password],input[type=search],input[type=number],input[type=tel],input[type=url],input[type=date],select,textarea,.control{display:block;width:100%;height:44px;padding:0 12px;font:inherit;color:inherit;background:#fff;border:1px solid var(--line);border-radius:8px}
textarea{height:auto;min-height:96px;padding:10px 12px;resize:vertical}
select{padding:0 10px}
input:hover,select:hover,textarea:hover{border-color:#b7c0d3}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--danger)}
input:disabled,select:disabled,textarea:disabled{background:#f5f7fb;color:var(--muted)}
input.code{font-family:var(--mono);font-size:1.2rem;letter-spacing:.25em}
.hint{font-size:.85rem;color:var(--muted);margin:6px 0 0}
.field-error{font-size:.875rem;color:var(--danger);margin:6px 0 0;font-weight:500}
.check{display:flex;gap:10px;align-items:flex-start}
.check input{width:18px;height:18px;margin:3px 0 0;flex:none;accent-color:var(--brand)}
.check label{font-weight:500;margin:0}
.check .hint{margin-top:2px}
.bare{border:0;padding:0;margin:0;min-width:0}
.hidden-form{display:none}
button,.button{white-space:nowrap;display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:0 18px;font:inherit;font-weight:600;border-radius:8px;border:1px solid transparent;cursor:pointer;text-decoration:none}
.primary{width:100%;background:var(--brand);color:#fff}
.primary:hover{background:var(--brand-dark);color:#fff}
.secondary{background:#fff;color:var(--ink);border-color:var(--line)}
.secondary:hover{background:#f5f7fb;color:var(--ink)}
.danger{background:#fff;color:var(--danger);border-color:#efc1c1}
.danger:hover{background:#fdf2f2;color:var(--danger)}
.button.danger.solid{background:var(--danger);color:#fff;border-color:var(--danger)}
.button.danger.solid:hover{background:#a61f1f;color:#fff}
.link{background:none;border:none;padding:0;min-height:0;color:var(--brand);font-weight:500;text-decoration:underline;text-underline-offset:2px}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus-visible,select:focus-visible,textarea:focus-visible{border-color:var(--brand)}
.banner{border-radius:8px;padding:12px 14px;margin:0 0 20px;font-size:.95rem;border:1px solid}
.banner.roomy{padding:16px 18px}
.banner.error{background:#fdecec;border-color:#f3c0c0;color:#8a1c1c}
.banner.notice{background:#eaf6ef;border-color:#b8e0c8;color:#175c39}
.banner.warn{background:#fff7e6;border-color:#f4d58d;color:#6b4a00}
.banner > :last-child{margin-bottom:0}
.callout{background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;padding:12px 14px}
.resend{margin:0 0 22px}
.auto{width:auto}
.alt{margin:22px 0 0;padding-top:18px;border-top:1px solid var(--soft);font-size:.95rem;color:var(--muted);text-align:center}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:center}
.between{display:flex;justify-content:space-between;align-items:baseline;gap:12px}
.inline{display:flex;gap:8px;align-items:center;flex-wrap:nowrap}
.filters{align-items:flex-end;margin:18px 0 8px}
.filters .field{margin:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,140px),1fr));gap:0 14px;align-items:start}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,220px),420px));gap:0 14px;align-items:start}
details{margin:18px 0 0;border:1px solid #e6e9f0;border-radius:8px;padding:10px 14px}
details[open]{padding-bottom:16px}
summary{cursor:pointer;font-weight:600;color:var(--brand)}
details form{margin-top:14px}
/* A table wider than a small screen scrolls inside the card, never past it. */
.table{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.93rem}
caption{text-align:left}
th{white-space:nowrap;text-align:left;font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;padding:8px 10px;border-bottom:1px solid var(--line)}
td{padding:12px 10px;border-bottom:1px solid var(--soft);vertical-align:middle}
tbody th{text-transform:none;letter-spacing:0;font-size:inherit;font-weight:500;color:var(--ink);border-bottom-color:var(--soft)}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
td.actions{text-align:right}
td time,td.ip{white-space:nowrap}
tbody tr:hover{background:#fafbfd}
.pager{margin-top:16px;align-items:center;flex-wrap:wrap}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.75rem;font-weight:600;background:#e8eefc;color:#2448bd;margin-left:6px;vertical-align:1px;white-space:nowrap}
.badge.on{background:#e3f4ea;color:#1b7f4c}
.badge.off{background:#f1f2f5;color:#5b6478}
.flush,.badge.flush,.badge[data-tone]{margin-left:0}
.badge[data-tone=neutral]{background:#f1f2f5;color:#4a5266}
.badge[data-tone=info]{background:#e8eefc;color:#2448bd}
.badge[data-tone=success]{background:#e3f4ea;color:#1b7f4c}
.badge[data-tone=warning]{background:#fff4d6;color:#7a5200}
.badge[data-tone=danger]{background:#fdecec;color:#a12020}
.section{border-top:1px solid var(--soft);margin-top:28px;padding-top:4px}
.qr{display:flex;justify-content:center;margin:8px 0 16px}
.qr svg{width:208px;height:208px;border:1px solid #e3e7ef;border-radius:8px}
.secret{font-family:var(--mono);font-size:1rem;letter-spacing:.08em;background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;padding:10px 12px;overflow-wrap:anywhere;text-align:center}
.codes{display:grid;grid-template-columns:repeat(2,1fr);gap:8px 16px;list-style:none;padding:16px;margin:0 0 18px;background:#f5f7fb;border:1px solid #e3e7ef;border-radius:8px;font-family:var(--mono);font-size:1.02rem}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:8px 18px;margin:18px 0 22px;overflow-wrap:anywhere}
.facts dt{color:var(--muted)}
.facts dd{margin:0;font-weight:500}
.foot{margin:auto 0 0;padding:28px 20px;font-size:.85rem;color:var(--muted)}
.foot a{color:var(--muted)}
.tabs{display:flex;gap:4px;border-bottom:1px solid var(--line);margin:4px 0 22px;overflow-x:auto;scrollbar-width:thin}
.tabs a{padding:10px 12px;text-decoration:none;font-weight:600;white-space:nowrap;color:var(--muted);border-bottom:3px solid transparent}
.tabs a:hover{color:var(--ink)}
.tabs a[aria-current=page]{color:var(--ink);border-bottom-color:var(--brand)}
.steps{list-style:none;padding:0;margin:0 0 12px}
.steps li{margin:4px 0}
.steps .done{color:var(--ok);font-weight:700}
.steps .todo{color:var(--muted)}
.progress{max-width:520px;margin:6px 0 14px}
.progress-head{display:flex;justify-content:space-between;gap:12px;font-size:.875rem}
.progress-head span:first-child{font-weight:600}
progress{-webkit-appearance:none;appearance:none;display:block;width:100%;height:10px;margin:6px 0 0;border:0;border-radius:999px;background:#e8ecf4;color:var(--brand);overflow:hidden}
progress::-webkit-progress-bar{background:#e8ecf4;border-radius:999px}
progress::-webkit-progress-value{background:var(--brand);border-radius:999px}
progress::-moz-progress-bar{background:var(--brand);border-radius:999px}
progress.tone-success::-webkit-progress-value{background:var(--ok)}
progress.tone-success::-moz-progress-bar{background:var(--ok)}
progress.tone-warning::-webkit-progress-value{background:#d89a00}
progress.tone-warning::-moz-progress-bar{background:#d89a00}
progress.tone-danger::-webkit-progress-value{background:var(--danger)}
progress.tone-danger::-moz-progress-bar{background:var(--danger)}
progress.tone-neutral::-webkit-progress-value{background:#8a93a6}
progress.tone-neutral::-moz-progress-bar{background:#8a93a6}
.bar{display:block;max-width:520px;border-radius:7px;overflow:hidden;background:#e8ecf4;margin:6px 0 10px}
.bar .fill{fill:var(--brand)}
.bar .fill.tone-success{fill:var(--ok)}
.bar .fill.tone-warning{fill:#d89a00}
.bar .fill.tone-danger{fill:var(--danger)}
.bar .fill.tone-neutral{fill:#8a93a6}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;background:var(--c,#8a93a6);margin-right:6px;vertical-align:0}
.c1{--c:#2f5be7}.c2{--c:#12a38a}.c3{--c:#e08a1e}.c4{--c:#a34ec2}.c5{--c:#d64561}.c6{--c:#6b7a90}
.panel{background:#fff;border:1px solid #e6e9f0;border-radius:12px;padding:18px 20px;margin:0 0 20px;min-width:0}
.panel > h2:first-child,.panel > h3:first-child{margin-top:0}
.panel > :last-child{margin-bottom:0}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,340px),1fr));gap:20px;margin:0 0 20px}
.cols > .panel{margin:0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,200px),1fr));gap:16px;margin:0 0 24px}
.kpi{background:#fff;border:1px solid #e6e9f0;border-radius:12px;padding:16px 18px;min-width:0}
.kpi-label{margin:0;font-size:.85rem;font-weight:500;color:var(--muted)}
.kpi-value{margin:4px 0 6px;font-size:1.6rem;line-height:1.2;font-weight:650;letter-spacing:-.02em;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.kpi-foot{display:flex;flex-wrap:wrap;gap:4px 8px;align-items:center;margin:0;font-size:.82rem;color:var(--muted)}
.kpi-foot .badge{margin-left:0}
.confirm p{margin:0 0 12px}
.confirm .field{max-width:480px}
.chart{margin:0 0 8px;min-width:0}
.chart figcaption{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:4px 16px;margin:0 0 8px}
.chart-title{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0;padding:0;font-size:.82rem;color:var(--muted)}
.chart-body{display:flex;align-items:flex-start}
.chart svg{display:block;overflow:visible}
.chart-axis{flex:none}
.chart-plot{flex:1 1 auto;min-width:0}
.chart text{font-size:11px;fill:#6b7385;font-variant-numeric:tabular-nums}
.chart .grid-line{stroke:#e9ecf2;stroke-width:1}
.chart .zero{stroke:#b7c0d3;stroke-width:1}
.chart .series{fill:var(--c);stroke:var(--c)}
.chart .line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.chart .area{stroke:none;fill-opacity:.1}
.chart .dot{stroke:#fff;stroke-width:1.5}
.chart .bar-rect{stroke:none}
.chart .bar-rect:hover,.chart .dot:hover{opacity:.75}
.chart .empty{display:grid;place-items:center;min-height:160px;margin:0;padding:16px;text-align:center;border:1px dashed var(--line);border-radius:8px}
.chart-data{margin:8px 0 0;padding:0;border:0;font-size:.85rem}
.chart-data[open]{padding:0}
.chart-data summary{font-weight:500;font-size:.82rem}
.chart-data table{margin-top:8px;font-size:.85rem}
.chart-data td,.chart-data th{padding:6px 8px}
/* The signed-in app shell: side navigation, top bar, page header, content. */
body.app{display:block;background:#fff;font-size:15px}
.skip{position:absolute;left:-9999px;top:8px;z-index:30;background:#fff;padding:8px 12px;border-radius:8px;border:1px solid var(--line)}
.skip:focus{left:8px}
.shell{display:grid;grid-template-columns:236px minmax(0,1fr);min-height:100vh}
.side{position:sticky;top:0;height:100vh;overflow-y:auto;background:var(--side);border-right:1px solid #e6e9f0;padding:18px 12px}
.side-head{display:flex;flex-direction:column;gap:2px;padding:0 8px 18px}
.side .brand{font-size:1.1rem;gap:9px}
.side .mark{width:28px;height:28px;border-radius:7px;font-size:.9rem}
.portal{font-size:.72rem;font-weight:600;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:6px 0 0}
.side-nav ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:2px}
.side-nav a{display:block;padding:7px 10px;border-radius:7px;color:#3c4257;text-decoration:none;font-weight:500;font-size:.93rem}
.side-nav a:hover{background:#eceff5;color:var(--ink)}
.side-nav a[aria-current=page]{background:var(--brand-soft);color:var(--brand-dark);font-weight:600}
.main-col{display:flex;flex-direction:column;min-width:0}
/* The top bar's contents line up with the centred content column below it. */
.topbar{display:flex;align-items:center;justify-content:space-between;gap:16px;min-height:58px;padding:8px max(32px,calc((100% - 1200px) / 2 + 32px));border-bottom:1px solid var(--soft);background:#fff}
.crumbs{min-width:0}
.crumbs ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:2px 6px;font-size:.875rem;color:var(--muted)}
.crumbs li{min-width:0;overflow-wrap:anywhere}
.crumbs li + li::before{content:"/";margin-right:6px;color:#b7c0d3}
.crumbs a{color:var(--muted);text-decoration:none}
.crumbs a:hover{color:var(--ink);text-decoration:underline}
.crumbs [aria-current=page]{color:var(--ink);font-weight:500}
details.user{position:relative;margin:0 0 0 auto;padding:0;border:0;flex:none}
details.user[open]{padding:0}
.user summary{display:flex;align-items:center;gap:8px;list-style:none;color:var(--ink);font-weight:500;font-size:.9rem;padding:4px 6px 4px 4px;border-radius:999px}
.user summary::-webkit-details-marker{display:none}
.user summary:hover{background:#f3f5f9}
.user summary::after{content:"";width:6px;height:6px;border-right:1.5px solid var(--muted);border-bottom:1.5px solid var(--muted);transform:rotate(45deg);margin:0 4px 3px 2px}
.avatar{display:inline-grid;place-items:center;width:30px;height:30px;border-radius:50%;background:var(--brand-soft);color:var(--brand-dark);font-size:.78rem;font-weight:700;flex:none}
.user-name{max-width:180px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.user-panel{position:absolute;right:0;top:calc(100% + 8px);z-index:20;width:272px;max-width:calc(100vw - 24px);background:#fff;border:1px solid #e3e7ef;border-radius:12px;box-shadow:0 4px 8px rgba(16,24,40,.06),0 16px 40px rgba(16,24,40,.14);padding:14px 0 8px}
.user-who{padding:0 16px 12px;border-bottom:1px solid var(--soft);overflow-wrap:anywhere}
.user-who p{margin:0}
.user-who .badge{margin:6px 0 0}
.user-links{list-style:none;margin:8px 0 0;padding:0}
.user-links a,.user-links button{display:flex;width:100%;min-height:38px;padding:0 16px;align-items:center;justify-content:flex-start;border:0;border-radius:0;background:none;color:var(--ink);font:inherit;font-size:.92rem;font-weight:500;text-decoration:none}
.user-links a:hover,.user-links button:hover{background:#f3f5f9;color:var(--ink)}
.user-links form{margin:0}
.content{width:100%;max-width:1200px;margin:0 auto;padding:28px 32px 56px}
.page-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:12px 20px;margin:0 0 24px}
.page-head h1{font-size:1.7rem;margin:0}
.page-head .lead{margin:4px 0 0}
.page-actions{display:flex;flex-wrap:wrap;gap:8px}
.app .primary{width:auto}
.app button,.app .button{min-height:38px;padding:0 14px;font-size:.92rem}
.app .user-links button{min-height:38px;padding:0 16px}
.app input[type=text],.app input[type=email],.app input[type=password],.app input[type=search],.app input[type=number],.app input[type=tel],.app input[type=url],.app input[type=date],.app select,.app .control{height:40px}
.app form .field{max-width:480px}
.app .grid .field,.app .pair .field,.app .filters .field{max-width:none}
.app h2{font-size:1.05rem}
.app td a{text-decoration:none}
.app td a:hover{text-decoration:underline}
@media (max-width:860px){
 .shell{display:block}
 .side{position:static;height:auto;overflow:visible;border-right:0;border-bottom:1px solid #e6e9f0;padding:12px 16px 0}
 .side-head{flex-direction:row;align-items:center;justify-content:space-between;padding:0 0 6px}
 .portal{margin:0}
 /* The sections become a strip that scrolls sideways: every link stays one tap away. */
 .side-nav{overflow-x:auto;margin:0 -16px;padding:0 10px;scrollbar-width:none}
 .side-nav ul{flex-direction:row;gap:0}
 .side-nav a{white-space:nowrap;border-radius:0;padding:10px 8px 9px;margin:0 2px;border-bottom:2px solid transparent}
 .side-nav a:hover{background:none}
 .side-nav a[aria-current=page]{background:none;border-bottom-color:var(--brand)}
 .topbar{padding:6px 16px;min-height:52px}
 .content{padding:20px 16px 48px}
}
@media (max-width:560px){
 .top{padding:20px 16px 12px}
 .card{border-radius:0;border-left:0;border-right:0;box-shadow:none;padding:24px 20px}
 thead{display:none}
 table,tbody,tr,td{display:block;width:100%}
 tr{border-bottom:1px solid var(--line);padding:8px 0}
 td{border:0;padding:4px 0}
 td.num{text-align:left}
 tbody th,.chart-data tbody th{display:block;border:0;padding:4px 0;font-weight:600}
 /* Each cell beside its column's label; the first cell (what the row is) leads without one. */
 td[data-label]{position:relative;padding-left:max(100px,36%)}
 td[data-label]::before{content:attr(data-label);position:absolute;left:0;top:7px;width:calc(max(100px,36%) - 12px);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:.72rem;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
 td[data-label]:first-child{padding-left:0;padding-bottom:6px}
 td[data-label]:first-child::before{content:none}
 td.actions{text-align:left;padding-top:8px}
 .codes{grid-template-columns:1fr}
 .user-name{display:none}
 .page-head h1{font-size:1.45rem}
 .kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:10px}
 .kpi{padding:12px 14px}
 .kpi-value{font-size:1.25rem}
 .panel{padding:14px 14px}
 .chart .minor{display:none}
 .app button,.app .button{min-height:44px}
}
"#;

#[cfg(test)]
mod tests {
    use super::STYLESHEET;

    /// The stylesheet is embedded raw in a `<style>` element: it must never close it.
    #[test]
    fn the_stylesheet_cannot_end_its_style_element() {
        assert!(!STYLESHEET.to_ascii_lowercase().contains("</style"));
        assert!(!STYLESHEET.contains("<!--"));
    }

    #[test]
    fn every_class_of_the_hand_built_pages_is_kept() {
        let kept = [
            ".button",
            ".primary",
            ".secondary",
            ".danger",
            ".auto",
            ".muted",
            ".small",
            ".lead",
            ".alt",
            ".row",
            ".section",
            ".between",
            ".banner.warn",
            ".banner.notice",
            ".banner.error",
            ".badge",
            ".badge.off",
            ".badge.on",
            ".table",
            ".facts",
            ".sr",
            ".code",
            ".field-error",
            ".actions",
            ".resend",
            ".ip",
            ".hint",
            ".field",
            ".top",
            ".ua",
            ".secret",
            ".qr",
            ".mark",
            ".foot",
            ".codes",
            ".brand",
            ".bar",
            ".card",
            ".wide",
            ".full",
        ];
        for class in kept {
            assert!(STYLESHEET.contains(class), "{class} is missing");
        }
    }
}
