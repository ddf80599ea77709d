// The widget's look, injected into its Shadow DOM: nothing on the host page can reach in, and nothing here leaks out.
export const widgetCss = `
:host{
--lh-primary:#1d4f7c;--lh-primary-dark:#163d60;--lh-primary-soft:#e3edf6;--lh-text:#1f2933;--lh-muted:#52606d;
--lh-border:#d9e2ec;--lh-field:#7b8794;--lh-surface:#f5f7fa;--lh-bubble:#eef2f6;--lh-error:#b42318;--lh-ok:#1e6b45;
--lh-font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.frame{display:flex;flex-direction:column;background:#fff;color:var(--lh-text);font:400 15px/1.45 var(--lh-font);
letter-spacing:normal;text-align:left;text-transform:none;word-spacing:normal;cursor:auto;overflow:hidden}
.panel{position:fixed;right:20px;bottom:20px;width:360px;height:min(620px,calc(100vh - 40px));border-radius:16px;
box-shadow:0 16px 48px rgba(16,42,67,.24),0 0 0 1px rgba(16,42,67,.08)}
.panel:focus{outline:none}
@media (max-width:480px),(max-height:520px){.panel{right:0;bottom:0;width:100%;height:100%;border-radius:0}}
.page{position:fixed;inset:0;width:100%;height:100%}
.head{display:flex;align-items:center;gap:12px;flex:none;padding:14px 10px 14px 18px;background:var(--lh-primary);color:#fff}
.head h2,.head h1{margin:0;font-size:16px;font-weight:650;line-height:1.3}
.head p{margin:2px 0 0;font-size:13px;color:#dce8f3}
.head .titles{min-width:0;flex:1}
.head :focus-visible{outline:2px solid #fff;outline-offset:2px}
.iconbtn{display:grid;place-items:center;width:38px;height:38px;flex:none;margin:0;padding:0;border:0;border-radius:10px;
background:transparent;color:inherit;cursor:pointer}
.iconbtn:hover{background:rgba(255,255,255,.16)}
.banner{flex:none;display:flex;align-items:center;gap:8px;padding:8px 16px;font-size:13px;background:#fff4e5;color:#7a4100;
border-bottom:1px solid #f3d7ad}
.banner[data-state=connected]{background:#e8f5ee;color:var(--lh-ok);border-bottom-color:#bfe3cf}
.banner button{margin-left:auto}
.mount{flex:1;min-height:0;display:flex;flex-direction:column;background:#fff}
.scroll{flex:1;min-height:0;overflow-y:auto;padding:16px 18px 18px}
.center{display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;gap:10px;padding:32px 24px}
.center h3{margin:0;font-size:17px}
.center p{margin:0;color:var(--lh-muted)}
.bigicon{display:grid;place-items:center;width:52px;height:52px;border-radius:50%;background:var(--lh-primary-soft);color:var(--lh-primary)}
.bigicon.warn{background:#fdecea;color:var(--lh-error)}
.spinner{width:28px;height:28px;border-radius:50%;border:3px solid var(--lh-primary-soft);border-top-color:var(--lh-primary)}
@media (prefers-reduced-motion:no-preference){.spinner{animation:lh-spin .9s linear infinite}.dots span{animation:lh-blink 1.4s infinite both}
.dots span:nth-child(2){animation-delay:.2s}.dots span:nth-child(3){animation-delay:.4s}}
@keyframes lh-spin{to{transform:rotate(360deg)}}
@keyframes lh-blink{0%,80%,100%{opacity:.25}40%{opacity:1}}
.intro{margin:0 0 14px;color:var(--lh-muted)}
.field{display:flex;flex-direction:column;gap:5px;margin:0 0 13px}
.field label,.label{font-size:14px;font-weight:600}
.opt{font-weight:400;color:var(--lh-muted)}
.hint{font-size:13px;color:var(--lh-muted);margin:0}
input,select,textarea{width:100%;margin:0;padding:10px 12px;font:inherit;color:inherit;background:#fff;border:1px solid var(--lh-field);
border-radius:10px;box-shadow:none}
select{appearance:auto}
textarea{resize:vertical;min-height:72px}
input:focus,select:focus,textarea:focus{outline:none}
input:focus-visible,select:focus-visible,textarea:focus-visible{border-color:var(--lh-primary);box-shadow:0 0 0 3px rgba(29,79,124,.28)}
[aria-invalid=true]{border-color:var(--lh-error)}
.error{margin:0 0 12px;color:var(--lh-error);font-size:14px}
.error:empty{display:none}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:8px;margin:0;padding:11px 18px;font:600 15px/1.2 var(--lh-font);
border:1px solid transparent;border-radius:10px;cursor:pointer;text-decoration:none}
.btn:focus{outline:none}
.btn:focus-visible,.linkbtn:focus-visible{outline:2px solid var(--lh-primary);outline-offset:2px}
.btn:disabled{opacity:.65;cursor:default}
.primary{width:100%;background:var(--lh-primary);color:#fff}
.primary:hover:not(:disabled){background:var(--lh-primary-dark)}
.secondary{background:#fff;color:var(--lh-primary);border-color:#9fb3c8}
.secondary:hover{background:var(--lh-surface)}
.linkbtn{margin:0;padding:4px 6px;border:0;background:none;color:var(--lh-primary);font:500 14px var(--lh-font);text-decoration:underline;
text-underline-offset:2px;cursor:pointer;border-radius:4px}
.card{display:flex;align-items:center;gap:12px;flex:none;padding:12px 16px;background:var(--lh-surface);border-bottom:1px solid var(--lh-border)}
.card .who{min-width:0;flex:1}
.card .main{margin:0;font-weight:650}
.card .sub{margin:0;font-size:13px;color:var(--lh-muted)}
.card .cardaction{flex:none;padding:7px 12px;font-size:14px}
.avatar{display:grid;place-items:center;flex:none;width:40px;height:40px;border-radius:50%;background:var(--lh-primary-soft);
color:var(--lh-primary);font-weight:700;font-size:16px}
.dots{display:inline-flex;gap:4px}
.dots span{width:7px;height:7px;border-radius:50%;background:var(--lh-primary)}
.log{flex:1;min-height:0;overflow-y:auto;display:flex;flex-direction:column;gap:10px;padding:16px}
.msg{display:flex;flex-direction:column;gap:3px;max-width:82%}
.msg .bubble{padding:9px 13px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg .bubble a{color:inherit;text-decoration:underline}
.msg .meta{font-size:12px;color:var(--lh-muted)}
.mine{align-self:flex-end;align-items:flex-end}
.mine .bubble{background:var(--lh-primary);color:#fff;border-bottom-right-radius:5px}
.theirs{align-self:flex-start}
.theirs .bubble{background:var(--lh-bubble);border-bottom-left-radius:5px}
.system{align-self:center;max-width:92%;text-align:center;font-size:13px;color:var(--lh-muted)}
.failed .meta{color:var(--lh-error)}
.msg[data-pending] .bubble{opacity:.7}
.typing{flex:none;min-height:22px;padding:0 16px 4px;font-size:13px;color:var(--lh-muted)}
.composer{display:flex;align-items:flex-end;gap:8px;flex:none;padding:10px 12px 8px;border-top:1px solid var(--lh-border)}
.composer textarea{min-height:44px;max-height:120px;resize:none;border-radius:22px;padding:11px 16px}
.sendbtn{display:grid;place-items:center;flex:none;width:44px;height:44px;margin:0;padding:0;border:0;border-radius:50%;
background:var(--lh-primary);color:#fff;cursor:pointer}
.sendbtn:hover{background:var(--lh-primary-dark)}
.sendbtn:disabled{opacity:.5;cursor:not-allowed}
.count{margin:0;padding:0 16px 6px;text-align:right;font-size:12px;color:var(--lh-muted)}
.count:empty{display:none}
.count[data-over]{color:var(--lh-error);font-weight:600}
.field .count{padding:4px 0 0}
.sendbtn:focus{outline:none}
.sendbtn:focus-visible{outline:2px solid var(--lh-primary);outline-offset:2px}
.actions{display:flex;justify-content:center;flex:none;padding:0 12px 10px}
.closed{flex:none;padding:14px 18px 16px;border-top:1px solid var(--lh-border);background:var(--lh-surface)}
.closed h3{margin:0 0 2px;font-size:16px}
.closed .hint{margin:0 0 10px}
.closed textarea{min-height:56px}
.closed .field{margin-bottom:10px}
.closed h3:focus{outline:none}
.stars{margin:0 0 12px;padding:0;border:0}
.stars legend{padding:0;margin:0 0 6px;font-size:14px;font-weight:600}
.stars .row{display:flex;gap:2px}
.stars input{position:absolute;width:1px;height:1px;opacity:0;margin:0}
.stars label{padding:0 3px;font-size:30px;line-height:1.1;color:#7b8794;cursor:pointer;border-radius:6px}
.stars label.on{color:#b7791f}
.stars input:focus-visible+label{outline:2px solid var(--lh-primary);outline-offset:1px}
.thanks{display:flex;align-items:center;gap:8px;margin:0 0 12px;color:var(--lh-ok);font-weight:600}
.row2{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.row2 .btn{flex:1 1 auto;padding:9px 12px;font-size:14px;white-space:nowrap}
.notice{display:flex;gap:12px;align-items:flex-start;margin:0 0 18px;padding:14px;border-radius:12px;background:var(--lh-surface)}
.notice h3{margin:0 0 2px;font-size:16px}
.notice p{margin:0;color:var(--lh-muted)}
.stage{position:relative;flex:none;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:10px;
aspect-ratio:16/9;max-height:38vh;width:100%;background:#102a43;color:#fff;text-align:center}
.stage .avatar{width:76px;height:76px;font-size:30px;background:#243b53;color:#fff}
.stage p{margin:0;color:#d9e2ec;font-size:14px}
.stage .name{font-size:18px;font-weight:650;color:#fff}
.stage__placeholder{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:10px}
.stage__media{position:absolute;inset:0;background:#000}
.stage__video{display:block;width:100%;height:100%;object-fit:contain;background:#000}
.stage__caption{position:absolute;left:10px;bottom:8px;margin:0;padding:2px 8px;border-radius:6px;background:rgba(16,42,67,.8);
color:#fff!important;font-size:13px!important;font-weight:600}
.stage__self{position:absolute;right:8px;bottom:8px;width:28%;max-width:180px;aspect-ratio:4/3;object-fit:cover;border-radius:8px;
border:2px solid rgba(255,255,255,.85);background:#243b53;transform:scaleX(-1)}
.callbar{flex:none;display:flex;flex-direction:column;gap:8px;padding:10px 12px;background:#102a43;color:#fff}
.callbar__text{min-width:0}
.callbar__status,.callbar__title{margin:0;font-size:14px;font-weight:600;text-align:center}
.callbar__sub{margin:2px 0 0;font-size:13px;color:#d9e2ec;text-align:center}
.callbar__problem{margin:0;font-size:13px;color:#ffd8a8;text-align:center}
.callbar__buttons{display:flex;flex-wrap:wrap;justify-content:center;gap:6px}
.callbtn{display:inline-flex;flex-direction:column;align-items:center;justify-content:center;gap:2px;min-width:58px;margin:0;
padding:6px 8px;border:0;border-radius:10px;background:#2b4560;color:#fff;font:600 12px/1.2 var(--lh-font);cursor:pointer}
.callbtn:hover{background:#37556f}
.callbtn:focus{outline:none}
.callbtn:focus-visible{outline:2px solid #fff;outline-offset:2px}
.callbtn[aria-pressed=true]{background:#fff;color:#102a43}
.callbtn--end,.callbtn--end:hover{background:#b42318}
.callbtn--accept,.callbtn--accept:hover{background:#1e6b45}
.panel .stage{max-height:min(38vh,180px)}
.panel .callbar{flex-direction:row;align-items:center;gap:8px;padding:8px 10px 8px 14px}
.panel .callbar__text{flex:1}
.panel .callbar__status,.panel .callbar__title,.panel .callbar__sub,.panel .callbar__problem{text-align:left}
.panel .callbar__status{font-size:13px}
.panel .callbar__buttons{flex:none;flex-wrap:nowrap;gap:4px}
.panel .callbtn:not(.callbtn--labelled){width:38px;min-width:0;height:38px;padding:0;border-radius:50%}
.panel .callbtn:not(.callbtn--labelled) span{display:none}
.card__call{display:flex;gap:6px;flex:none}
.cardbtn{display:grid;place-items:center;width:38px;height:38px;margin:0;padding:0;border:1px solid #9fb3c8;border-radius:50%;
background:#fff;color:var(--lh-primary);cursor:pointer}
.cardbtn:hover:not(:disabled){background:var(--lh-primary-soft)}
.cardbtn:disabled{opacity:.5;cursor:default}
.cardbtn:focus{outline:none}
.cardbtn:focus-visible{outline:2px solid var(--lh-primary);outline-offset:2px}
.consent{flex:none;margin:10px 12px 0;padding:14px 16px;border:1px solid var(--lh-border);border-radius:12px;background:#fff;
box-shadow:0 6px 20px rgba(16,42,67,.16)}
.consent h3{margin:0 0 4px;font-size:16px}
.consent p{margin:0;color:var(--lh-muted)}
.consent .row2{margin-top:12px}
.consent .btn{width:auto}
.ink{position:fixed;inset:0;width:100%;height:100%;pointer-events:none;z-index:2147483647}
.layout,.chatcol{flex:1;min-height:0;display:flex;flex-direction:column;width:100%}
@media (min-width:900px){.page .layout{flex-direction:row}.page .stage{flex:1;aspect-ratio:auto;max-height:none;height:100%}
.page .chatcol{flex:none;width:420px;border-left:1px solid var(--lh-border)}}
.page .scroll{width:100%;max-width:560px;margin:0 auto}
`;
