// What a user would trip on in the page as drawn: sideways scrolling, text
// cut off by its box or by the screen's edge, and Latin words on a Chinese
// page. Run by e2e/test_screens.py through page.evaluate with the allowed
// Latin words and a selector of the cells that hold identifiers (``data``); returns
// {scroll: [...], clipped: [...], english: [...]}, each a list of strings.
({ allowed, data }) => {
  const out = { scroll: [], clipped: [], english: [] };
  const root = document.scrollingElement || document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    out.scroll.push(`page ${root.scrollWidth}px wide in ${root.clientWidth}px`);
  }
  const vw = document.documentElement.clientWidth;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TITLE", "svg", "CANVAS"]);

  function label(el) {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.classList.length) s += "." + [...el.classList].slice(0, 2).join(".");
    const parent = el.parentElement;
    if (parent && parent !== document.body) {
      let p = parent.tagName.toLowerCase();
      if (parent.id) p += "#" + parent.id;
      else if (parent.classList.length) p += "." + parent.classList[0];
      s = p + " > " + s;
    }
    return s;
  }

  // The visually hidden pattern for screen readers: a 1px box that clips on purpose.
  function srOnly(el) {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return (r.width <= 2 && r.height <= 2) || cs.clip !== "auto" || cs.clipPath !== "none";
  }

  function shown(el) {
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || cs.opacity === "0") return false;
      if (e.getAttribute("aria-hidden") === "true") return false;
      if (e.tagName === "DIALOG" && !e.open) return false;
      // a closed <details> shows its summary only
      const up = e.parentElement;
      if (up && up.tagName === "DETAILS" && !up.open && e.tagName !== "SUMMARY") return false;
      if (cs.position === "absolute" && cs.overflow === "hidden" && srOnly(e)) return false;
    }
    return true;
  }

  // A box the user sees as one: a button, or anything with a background or a border.
  function drawn(e) {
    if (e.tagName === "BUTTON") return true;
    const cs = getComputedStyle(e);
    if (!/rgba\(.*,\s*0\)|transparent/.test(cs.backgroundColor)) return true;
    return ["Top", "Right", "Bottom", "Left"].some(
      (side) => parseFloat(cs[`border${side}Width`]) > 0 && cs[`border${side}Style`] !== "none",
    );
  }

  // Something moving on purpose (a ticker) is wider than its box.
  function moving(el) {
    for (let e = el; e; e = e.parentElement) {
      if (e.getAnimations && e.getAnimations().some((a) => a.playState === "running")) return true;
    }
    return false;
  }

  // Text nodes as the user sees them.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      if (!node.nodeValue.trim()) return NodeFilter.FILTER_REJECT;
      for (let e = node.parentElement; e; e = e.parentElement) {
        if (SKIP.has(e.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n);

  const reportedClip = new Set();
  const words = [];
  for (const node of texts) {
    const el = node.parentElement;
    if (!el || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    words.push([node.nodeValue, el]);
    if (el.tagName === "OPTION" || el.closest("select")) continue;
    const text = node.nodeValue.trim().slice(0, 30);
    // the text's own extent against every box that clips it
    const left = Math.min(...rects.map((r) => r.left));
    const right = Math.max(...rects.map((r) => r.right));
    const top = Math.min(...rects.map((r) => r.top));
    const bottom = Math.max(...rects.map((r) => r.bottom));
    if (moving(el)) continue;
    if (el.closest("legend")) continue; // a legend sits on its fieldset's border by design
    // the text spills out of the nearest drawn box around it (past its padding)
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      const cs = getComputedStyle(box);
      // inside a scrolling or clipping box the checks below apply instead
      if (box !== el && (cs.overflowX !== "visible" || cs.overflowY !== "visible")) break;
      if (!drawn(box)) continue;
      const r = box.getBoundingClientRect();
      const px = (name) => parseFloat(cs[name]) || 0;
      const cl = r.left + px("borderLeftWidth") + px("paddingLeft");
      const cr = r.right - px("borderRightWidth") - px("paddingRight");
      const ct = r.top + px("borderTopWidth") + px("paddingTop");
      const cb = r.bottom - px("borderBottomWidth") - px("paddingBottom");
      const inline = cs.display === "inline";
      const slack = inline ? 4 : 2;
      // a glyph's box is taller than a tight line (line-height under ~1.2)
      const slackY = slack + 0.2 * parseFloat(getComputedStyle(el).fontSize);
      const out_ =
        left < cl - slack ||
        right > cr + slack ||
        (!inline && (top < ct - slackY || bottom > cb + slackY));
      if (out_ && !reportedClip.has(box) && cs.overflowX !== "auto" && cs.overflowX !== "scroll") {
        reportedClip.add(box);
        const by = [cl - left, right - cr, ct - top, bottom - cb].map((d) => Math.max(0, Math.round(d)));
        out.clipped.push(`«${text}» spills out of ${label(box)} (←${by[0]} →${by[1]} ↑${by[2]} ↓${by[3]}px)`);
      }
      break;
    }
    let scroller = false;
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      const cs = getComputedStyle(box);
      const ox = cs.overflowX;
      const oy = cs.overflowY;
      if (ox === "visible" && oy === "visible") continue;
      if (srOnly(box)) break;
      if (ox === "auto" || ox === "scroll") scroller = true;
      const r = box.getBoundingClientRect();
      const bl = r.left + box.clientLeft;
      const bt = r.top + box.clientTop;
      const br = bl + box.clientWidth;
      const bb = bt + box.clientHeight;
      const ellipsis = cs.textOverflow === "ellipsis" && box === el;
      const cutX = (ox === "hidden" || ox === "clip") && !ellipsis && (right > br + 1 || left < bl - 1);
      const cutY = (oy === "hidden" || oy === "clip") && (bottom > bb + 1 || top < bt - 1);
      if ((cutX || cutY) && !reportedClip.has(box)) {
        reportedClip.add(box);
        out.clipped.push(`«${text}» cut by ${label(box)} (${Math.round(right - br)}px wide, ${Math.round(bottom - bb)}px down)`);
      }
    }
    if (!scroller && (right > vw + 1 || left < -1) && !reportedClip.has(el)) {
      reportedClip.add(el);
      out.clipped.push(`«${text}» runs off the screen at ${Math.round(right)}px (${label(el)})`);
    }
  }

  // On a wide screen no box should need a sideways scrollbar either.
  if (vw >= 1024) {
    for (const box of document.body.querySelectorAll("*")) {
      const ox = getComputedStyle(box).overflowX;
      if ((ox === "auto" || ox === "scroll") && box.scrollWidth > box.clientWidth + 1 && shown(box)) {
        out.clipped.push(`${label(box)} scrolls sideways (${box.scrollWidth}px in ${box.clientWidth}px)`);
      }
    }
  }

  // Latin words: a token holding a digit or an identifier's marks is a code
  // (A012, 138****8000, clerk_w01, a URL); the rest must be on the allow-list.
  const ok = new Set(allowed.map((w) => w.toLowerCase()));
  const seen = new Set();
  function latin(text, where) {
    for (const token of text.split(/[\s\u3000-\u303f\uff00-\uffef,;:!?()"'“”‘’、，。：；！？（）【】《》]+/)) {
      if (!/[A-Za-z]{2,}/.test(token) || ok.has(token.toLowerCase())) continue;
      if (/[0-9_@]|:\/\/|^\/|\.\w{2,4}$|\*/.test(token)) continue;
      for (const w of token.match(/[A-Za-z]+/g)) {
        if (w.length < 2 || ok.has(w.toLowerCase()) || seen.has(w)) continue;
        seen.add(w);
        out.english.push(`${w} in «${text.trim().slice(0, 60)}» (${where})`);
      }
    }
  }
  // Codes are not language: <code>, and a code printed for the citizen to
  // type ("DGVD C7R7 ZK8C 3GB3"), marked translate="no" as HTML marks such text.
  const untranslated = (el) => el.closest('[translate="no"], code, kbd, samp');
  for (const [text, el] of words) {
    if (!(data && el.closest(data)) && !untranslated(el)) latin(text, label(el));
  }
  for (const el of document.querySelectorAll("input, textarea, button, img, [title], [aria-label]")) {
    if (!shown(el)) continue;
    // the admin site's own icons carry Django's untranslated alt (True, Search)
    if (el.tagName === "IMG" && /\/static\/admin\/img\//.test(el.src)) continue;
    if (data && el.closest(data)) continue;
    for (const attr of ["placeholder", "title", "aria-label", "alt"]) {
      const v = el.getAttribute(attr);
      if (v) latin(v, `${label(el)}[${attr}]`);
    }
    if (el.tagName === "INPUT" && ["submit", "button"].includes(el.type)) latin(el.value, label(el));
  }
  latin(document.title, "title");
  return out;
}
