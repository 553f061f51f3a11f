// Starts swagger-ui on the embedded contract. Without swagger-ui (built before `npm ci`), it
// lists the operations from the same document, so the page still says what the API offers.
(function () {
  var target = document.getElementById('docs');
  if (window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: '/v1/openapi.json', domNode: target, deepLinking: true });
    return;
  }
  fetch('/v1/openapi.json').then(function (r) { return r.json(); }).then(function (doc) {
    var list = document.createElement('ul');
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        if (!op || !op.operationId) return;
        var item = document.createElement('li');
        item.textContent = method.toUpperCase() + ' ' + path + ': ' + (op.summary || op.operationId);
        list.appendChild(item);
      });
    });
    target.textContent = doc.info.title + ' ' + doc.info.version;
    target.appendChild(list);
  });
})();
