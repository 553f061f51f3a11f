// Starts swagger-ui on the embedded contract. (A server built without swagger-ui answers /docs
// with a 503 problem, so this page only loads where SwaggerUIBundle is served.)
(function () {
  window.SwaggerUIBundle({
    url: '/v1/openapi.json',
    domNode: document.getElementById('docs'),
    deepLinking: true
  });
})();
