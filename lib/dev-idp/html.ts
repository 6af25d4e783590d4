const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for both element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328}
main{width:100%;max-width:360px;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:28px;
  box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.25rem;margin:0 0 4px}
.sub{color:#57606a;font-size:.875rem;margin:0 0 20px;overflow-wrap:anywhere}
label{display:block;font-size:.875rem;font-weight:600;margin:14px 0 6px}
input{width:100%;padding:9px 10px;font-size:1rem;border:1px solid #afb8c1;border-radius:6px}
input:focus{outline:2px solid #0969da;outline-offset:1px}
.actions{display:flex;gap:10px;margin-top:20px}
button{flex:1;padding:10px;font-size:1rem;border-radius:6px;cursor:pointer;border:1px solid #afb8c1;background:#f6f8fa}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff;font-weight:600}
button:focus-visible{outline:2px solid #0969da;outline-offset:2px}
.error{background:#ffebe9;border:1px solid #ff8182;color:#82071e;border-radius:6px;padding:10px;font-size:.875rem;margin:0 0 8px}
.note{margin-top:22px;padding-top:14px;border-top:1px solid #d8dee4;font-size:.8125rem;color:#57606a}
.note ul{margin:6px 0 0;padding-left:18px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
`;

/** Wraps trusted markup; every interpolated value must already be escaped by the caller. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}
