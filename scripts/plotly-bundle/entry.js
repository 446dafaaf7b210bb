'use strict';
// plotly.js with only the trace types the dashboard draws: scatter (in core), bar,
// scattermap and choroplethmap. `node build.mjs` bundles this file into
// layouts/assets/vendor/plotly/plotly-ioc.min.js (see docs/map.md, "plotly.js bundle").
// A figure with another trace type fails to draw ("trace type not found"): add it here
// and rebuild.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/scattermap'),
    require('plotly.js/lib/choroplethmap')
]);

// MapLibre 6 draws its sky as a full-screen shader pass on every frame. On a flat map
// (pitch 0, no roll, Mercator) the horizon is out of view and the pass changes no
// pixel, yet in software WebGL (SwiftShader: headless Chromium, a machine without a GPU)
// it costs more than everything else in the frame. Skip it there; draw it as before
// when the map is tilted or on a globe.
var maplibregl = require('maplibre-gl/dist/maplibre-gl.mjs');
var setupPainter = maplibregl.Map.prototype._setupPainter;
if (typeof setupPainter !== 'function') {
    throw new Error('plotly-ioc: maplibre-gl has no Map#_setupPainter; review the sky patch in entry.js');
}
maplibregl.Map.prototype._setupPainter = function () {
    var result = setupPainter.apply(this, arguments);
    var draw = this.painter.drawFunctions;  // one object shared by every map
    if (!draw.sky.iocSkipsFlatSky) {
        var drawSky = draw.sky;
        draw.sky = function (painter) {
            var view = painter.transform;
            if (view.pitch === 0 && view.roll === 0 && painter.style.projection.name === 'mercator') return;
            return drawSky.apply(this, arguments);
        };
        draw.sky.iocSkipsFlatSky = true;
    }
    return result;
};

// While a new map loads its first data, MapLibre paints a whole frame each time a source's
// tiles come back from its worker: 10-14 frames in software WebGL before every layer is in,
// each 50-300 ms of the two cores that the worker and plotly.js need too. Until the map has
// once been drawn with all its sources, paint only the frames where everything has loaded;
// paint anyway while the user moves the map, or when a second has passed without a frame,
// so a slow source never leaves the map blank. After that first full frame (pans, zooms,
// new data) every frame paints as before.
var render = maplibregl.Map.prototype._render;
if (typeof render !== 'function') {
    throw new Error('plotly-ioc: maplibre-gl has no Map#_render; review the first-frame patch in entry.js');
}
function holdPartialFrames(map) {
    var painter = map.painter;
    var paint = painter.render;
    painter.iocHolds = true;
    painter.render = function () {
        var now = performance.now();
        var managers = map.style && map.style.tileManagers;  // MapLibre 6: one per source
        var ready = map.loaded();
        if (map.iocFirstDrawn || ready || !managers || map.isMoving() || now - (map.iocLastPaint || 0) > 1000) {
            map.iocLastPaint = now;
            if (ready && (!managers || Object.keys(managers).length > 0)) map.iocFirstDrawn = true;
            return paint.apply(this, arguments);
        }
        return undefined;  // a partial frame: nothing drawn, the previous one stays on screen
    };
}
maplibregl.Map.prototype._render = function () {
    if (!this.iocFirstDrawn && this.painter && !this.painter.iocHolds) holdPartialFrames(this);
    return render.apply(this, arguments);
};

module.exports = Plotly;
