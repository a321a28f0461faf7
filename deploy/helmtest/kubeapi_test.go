package helmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// A minimal REST client for the test control plane: enough discovery to turn
// a manifest's apiVersion and kind into a URL, and plain GET/POST with the
// bearer token. No client-go: the tests check what the API server stored.

// apiResource is one entry of an API group version's discovery document.
type apiResource struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Namespaced bool   `json:"namespaced"`
}

// manifestObject is the identity of one object in a rendered manifest.
type manifestObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func (o manifestObject) String() string { return o.Kind + "/" + o.Metadata.Name }

// parseManifest decodes the identities of the objects in multi-document YAML.
func parseManifest(t *testing.T, manifest []byte) []manifestObject {
	t.Helper()
	var objs []manifestObject
	for _, doc := range splitDocuments(manifest) {
		var o manifestObject
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatalf("decode manifest document: %v\n%s", err, doc)
		}
		if o.Kind == "" || o.Metadata.Name == "" {
			t.Fatalf("manifest document without kind or name:\n%s", doc)
		}
		objs = append(objs, o)
	}
	return objs
}

// do sends one request with the token and returns the status and body.
func (cp *controlPlane) do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, cp.URL+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+cp.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cp.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// mustDo is do for requests that must succeed with want.
func (cp *controlPlane) mustDo(t *testing.T, want int, method, path string, body any) []byte {
	t.Helper()
	status, b, err := cp.do(method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, path, status, want, b)
	}
	return b
}

// groupVersionPath is the discovery path of an apiVersion: the core group
// lives under /api, every other group under /apis.
func groupVersionPath(apiVersion string) string {
	if !strings.Contains(apiVersion, "/") {
		return "/api/" + apiVersion
	}
	return "/apis/" + apiVersion
}

// resource looks kind up in the discovery document of apiVersion, as served by
// this API server (CRDs included).
func (cp *controlPlane) resource(t *testing.T, apiVersion, kind string) apiResource {
	t.Helper()
	cp.mu.Lock()
	resources, ok := cp.discovery[apiVersion]
	cp.mu.Unlock()
	if !ok {
		var list struct {
			Resources []apiResource `json:"resources"`
		}
		b := cp.mustDo(t, http.StatusOK, http.MethodGet, groupVersionPath(apiVersion), nil)
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatalf("discovery %s: %v", apiVersion, err)
		}
		for _, r := range list.Resources {
			if !strings.Contains(r.Name, "/") { // skip subresources
				resources = append(resources, r)
			}
		}
		cp.mu.Lock()
		cp.discovery[apiVersion] = resources
		cp.mu.Unlock()
	}
	for _, r := range resources {
		if r.Kind == kind {
			return r
		}
	}
	t.Fatalf("the API server serves no %s in %s", kind, apiVersion)
	return apiResource{}
}

// objectPath is the URL path of o; a namespaced object without a namespace is
// in defaultNamespace, as helm installs it.
func (cp *controlPlane) objectPath(t *testing.T, o manifestObject, defaultNamespace string) string {
	t.Helper()
	r := cp.resource(t, o.APIVersion, o.Kind)
	p := groupVersionPath(o.APIVersion)
	if r.Namespaced {
		ns := o.Metadata.Namespace
		if ns == "" {
			ns = defaultNamespace
		}
		p += "/namespaces/" + ns
	}
	return fmt.Sprintf("%s/%s/%s", p, r.Name, o.Metadata.Name)
}

// storedObject is the part of an object read back from the API server that the
// tests look at.
type storedObject struct {
	Metadata struct {
		Name        string            `json:"name"`
		UID         string            `json:"uid"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		Template struct {
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		} `json:"template"`
	} `json:"spec"`
}

// get reads the object at path, failing the test unless it exists.
func (cp *controlPlane) get(t *testing.T, path string) storedObject {
	t.Helper()
	var o storedObject
	if err := json.Unmarshal(cp.mustDo(t, http.StatusOK, http.MethodGet, path, nil), &o); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return o
}

// createNamespace creates ns (helm's --create-namespace then finds it).
func (cp *controlPlane) createNamespace(t *testing.T, ns string) {
	t.Helper()
	cp.mustDo(t, http.StatusCreated, http.MethodPost, "/api/v1/namespaces", map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns},
	})
}

// createSecret creates an Opaque Secret in ns with the given string data.
func (cp *controlPlane) createSecret(t *testing.T, ns, name string, data map[string]string) {
	t.Helper()
	cp.mustDo(t, http.StatusCreated, http.MethodPost, "/api/v1/namespaces/"+ns+"/secrets", map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": name}, "stringData": data,
	})
}
