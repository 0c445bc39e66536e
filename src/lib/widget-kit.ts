/**
 * What every storefront widget script begins with (plain ES5, for any shop theme), spliced into
 * each widget's source: the `<script>` tag that loaded it, the store's public key (`data-key`),
 * Hearth's origin (`base`, where the widget calls), and `el(tag, className, text)`, which makes an
 * element with its text set as text, never as markup.
 */
export const WIDGET_PRELUDE = String.raw`  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute('data-key') || '';
  var base = new URL(script.src).origin;
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
`;

/** `money(minor, currency)`: minor units in the shopper's locale ('' without an amount or currency). */
export const WIDGET_MONEY = String.raw`  function money(minor, currency) {
    if (minor === null || minor === undefined || !currency) return '';
    try {
      var format = new Intl.NumberFormat(undefined, { style: 'currency', currency: currency });
      return format.format(minor / Math.pow(10, format.resolvedOptions().maximumFractionDigits));
    } catch (e) { return (minor / 100).toFixed(2) + ' ' + currency; }
  }
`;
