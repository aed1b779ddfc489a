/** Small DOM helpers of the core views. */

/**
 * Set an element's text, touching the DOM only when it changed; a lone text node is updated
 * in place (no node is inserted or removed, so layout has less to redo during play).
 * @param {Element} el
 * @param {string} text
 */
export function setText(el, text) {
  const node = el.firstChild;
  if (node && node.nodeType === Node.TEXT_NODE && !node.nextSibling) {
    if (node.data !== text) node.data = text;
  } else if (el.textContent !== text) el.textContent = text;
}
