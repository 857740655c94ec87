// Starts Swagger UI on the element the page marks; a file of our own, not inline, so the
// page runs under the same Content-Security-Policy as the rest of Rapport (script-src 'self').
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default sends the document to validator.swagger.io for a badge: no calls out.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
