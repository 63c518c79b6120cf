// Zoom and pan for a diagram on its own page: buttons, + and - keys, the arrow keys, the
// mouse wheel, and dragging with a finger or the mouse. Progressive enhancement: without
// this file the diagram is shown at full size in a box that scrolls.
(function () {
  "use strict";
  function setUp(box) {
    var svg = box.querySelector("svg");
    if (!svg) { return; }
    var w = parseFloat(svg.getAttribute("width")) || svg.getBBox().width;
    var h = parseFloat(svg.getAttribute("height")) || svg.getBBox().height;
    var base = (svg.getAttribute("viewBox") || ("0 0 " + w + " " + h)).split(/[ ,]+/).map(Number);
    var view = base.slice();
    svg.setAttribute("viewBox", view.join(" "));
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    box.classList.add("zooming");

    function show() { svg.setAttribute("viewBox", view.join(" ")); }
    function zoom(factor, cx, cy) {
      var nw = Math.min(Math.max(view[2] / factor, base[2] / 20), base[2] * 4);
      var nh = nw * view[3] / view[2];
      if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
      view[0] = cx - (cx - view[0]) * nw / view[2];
      view[1] = cy - (cy - view[1]) * nh / view[3];
      view[2] = nw; view[3] = nh;
      show();
    }
    function pan(dx, dy) { view[0] += dx; view[1] += dy; show(); }
    function reset() { view = base.slice(); show(); }
    function toSvg(clientX, clientY) {
      var r = svg.getBoundingClientRect();
      var scale = Math.max(view[2] / r.width, view[3] / r.height);
      return [view[0] + (clientX - r.left) * scale, view[1] + (clientY - r.top) * scale, scale];
    }

    var tools = box.parentNode.querySelector(".zoom-tools");
    if (tools) {
      tools.hidden = false;
      tools.addEventListener("click", function (e) {
        var what = e.target.getAttribute("data-zoom");
        if (what === "in") { zoom(1.5); } else if (what === "out") { zoom(1 / 1.5); } else if (what === "reset") { reset(); }
      });
    }
    box.addEventListener("keydown", function (e) {
      var step = view[2] / 10;
      var keys = {"+": function () { zoom(1.25); }, "=": function () { zoom(1.25); }, "-": function () { zoom(0.8); },
        "0": reset, ArrowLeft: function () { pan(-step, 0); }, ArrowRight: function () { pan(step, 0); },
        ArrowUp: function () { pan(0, -step); }, ArrowDown: function () { pan(0, step); }};
      if (keys[e.key]) { keys[e.key](); e.preventDefault(); }
    });
    box.addEventListener("wheel", function (e) {
      var p = toSvg(e.clientX, e.clientY);
      zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, p[0], p[1]);
      e.preventDefault();
    }, {passive: false});
    var drag = null;
    box.addEventListener("pointerdown", function (e) {
      if (e.target.closest && e.target.closest("a")) { return; }  // a stage link: follow it
      drag = {x: e.clientX, y: e.clientY, moved: false};
      box.setPointerCapture(e.pointerId);
    });
    box.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var scale = toSvg(e.clientX, e.clientY)[2];
      pan((drag.x - e.clientX) * scale, (drag.y - e.clientY) * scale);
      drag.x = e.clientX; drag.y = e.clientY; drag.moved = true;
    });
    box.addEventListener("pointerup", function () { drag = null; });
    box.addEventListener("pointercancel", function () { drag = null; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".zoomable"), setUp);
  });
}());
