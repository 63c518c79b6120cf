// Starts Swagger UI on /docs (web/docs.py). Its script comes from this server, as this file
// does: the page's Content-Security-Policy allows no inline script and no other origin.
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  if (!box || typeof window.SwaggerUIBundle !== "function") { return; }
  var csrf = box.getAttribute("data-csrf");
  window.SwaggerUIBundle({
    url: box.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null, // never send the document to an online validator
    requestInterceptor: function (request) {
      // Signed in with the session: POST, PUT and DELETE need its CSRF token too.
      if (csrf) { request.headers["X-CSRF-Token"] = csrf; }
      return request;
    }
  });
})();
