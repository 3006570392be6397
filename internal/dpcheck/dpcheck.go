// Package dpcheck checks a datapackage.json against the rules of the
// Frictionless Data Package standard, version 2, that a reader relies on:
// the required properties, resource names, relative paths that stay inside
// the package's folder, hashes, and Table Schemas (field names and types,
// primary and foreign keys). It reads the descriptor as plain JSON, not
// through tally's own types, so it judges what was written rather than
// what tally meant to write. It does not fetch the published JSON Schema
// profiles (no network); the rules are those of the standard's text.
package dpcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
)

// Profile is the $schema a version 2 descriptor declares.
const Profile = "https://datapackage.org/profiles/2.0/datapackage.json"

var (
	namePattern = regexp.MustCompile(`^[a-z0-9._-]+$`)
	hashPattern = regexp.MustCompile(`^(md5:)?[0-9a-f]{32}$|^sha1:[0-9a-f]{40}$|^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$`)
	// The field types Table Schema defines.
	fieldTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true,
		"array": true, "list": true, "date": true, "time": true, "datetime": true, "year": true, "yearmonth": true,
		"duration": true, "geopoint": true, "geojson": true, "any": true}
)

// Check returns every rule the descriptor breaks, one message each; none
// means it passes. A descriptor that is not a JSON object fails at once.
func Check(descriptor []byte) []string {
	var c checker
	var root any
	dec := json.NewDecoder(bytes.NewReader(descriptor))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	pkg, ok := root.(map[string]any)
	if !ok {
		return []string{"the descriptor is not a JSON object"}
	}
	c.pkg(pkg)
	return c.msgs
}

type checker struct{ msgs []string }

func (c *checker) bad(format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

func (c *checker) pkg(p map[string]any) {
	if s, ok := p["$schema"]; ok && s != Profile {
		c.bad("$schema is %v, want %s for version 2", s, Profile)
	} else if !ok {
		c.bad("$schema is missing: a version 2 descriptor declares %s", Profile)
	}
	if n, ok := p["name"]; ok {
		if s, ok := n.(string); !ok || !namePattern.MatchString(s) {
			c.bad("package name %v is not lower case letters, digits, '.', '_' or '-'", n)
		}
	}
	if v, ok := p["created"]; ok {
		if s, ok := v.(string); !ok {
			c.bad("created is not a string")
		} else if _, err := time.Parse(time.RFC3339, s); err != nil {
			c.bad("created %q is not an RFC 3339 date-time", s)
		}
	}
	res, ok := p["resources"].([]any)
	if !ok || len(res) == 0 {
		c.bad("resources must be an array of at least one resource")
		return
	}
	// First pass: names and fields, for foreign keys.
	fields := map[string]map[string]bool{}
	for i, r := range res {
		m, ok := r.(map[string]any)
		if !ok {
			c.bad("resources[%d] is not an object", i)
			continue
		}
		name, _ := m["name"].(string)
		if _, dup := fields[name]; dup && name != "" {
			c.bad("resource name %q is not unique", name)
		}
		fields[name] = fieldNames(m)
	}
	for i, r := range res {
		if m, ok := r.(map[string]any); ok {
			c.resource(i, m, fields)
		}
	}
	if v, ok := p["sources"]; ok {
		srcs, ok := v.([]any)
		if !ok {
			c.bad("sources is not an array")
		}
		for i, s := range srcs {
			m, ok := s.(map[string]any)
			if !ok || len(m) == 0 {
				c.bad("sources[%d] must be an object with at least one property", i)
				continue
			}
			if pth, ok := m["path"]; ok {
				c.path(fmt.Sprintf("sources[%d]", i), pth)
			}
		}
	}
}

func fieldNames(r map[string]any) map[string]bool {
	out := map[string]bool{}
	s, _ := r["schema"].(map[string]any)
	fs, _ := s["fields"].([]any)
	for _, f := range fs {
		if m, ok := f.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				out[n] = true
			}
		}
	}
	return out
}

func (c *checker) resource(i int, r map[string]any, all map[string]map[string]bool) {
	name, ok := r["name"].(string)
	where := fmt.Sprintf("resources[%d]", i)
	if !ok || name == "" {
		c.bad("%s has no name", where)
	} else {
		where = "resource " + name
		if !namePattern.MatchString(name) {
			c.bad("%s: name is not lower case letters, digits, '.', '_' or '-'", where)
		}
	}
	_, hasPath := r["path"]
	_, hasData := r["data"]
	if hasPath == hasData {
		c.bad("%s must have exactly one of path and data", where)
	}
	if hasPath {
		c.path(where, r["path"])
	}
	if h, ok := r["hash"]; ok {
		if s, ok := h.(string); !ok || !hashPattern.MatchString(s) {
			c.bad("%s: hash %v is not an md5 hex digest or algorithm:hex (sha256:...)", where, h)
		}
	}
	if b, ok := r["bytes"]; ok {
		if n, ok := b.(json.Number); !ok || !isCount(n) {
			c.bad("%s: bytes %v is not a whole number", where, b)
		}
	}
	for _, k := range []string{"format", "mediatype", "encoding", "title", "description"} {
		if v, ok := r[k]; ok {
			if _, ok := v.(string); !ok {
				c.bad("%s: %s is not a string", where, k)
			}
		}
	}
	if t, ok := r["type"]; ok && t != "table" {
		c.bad("%s: type %v; the standard defines only \"table\"", where, t)
	}
	s, ok := r["schema"]
	if !ok {
		if r["type"] == "table" {
			c.bad("%s: a table should have a schema", where)
		}
		return
	}
	schema, ok := s.(map[string]any)
	if !ok {
		c.bad("%s: schema is not an object", where)
		return
	}
	c.schema(where, schema, all)
}

func isCount(n json.Number) bool {
	v, err := n.Int64()
	return err == nil && v >= 0
}

// path checks a path: a string or an array of strings, each a URL or a
// POSIX path relative to the descriptor and inside its folder.
func (c *checker) path(where string, v any) {
	var ps []string
	switch v := v.(type) {
	case string:
		ps = []string{v}
	case []any:
		if len(v) == 0 {
			c.bad("%s: path is an empty array", where)
		}
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				c.bad("%s: path array holds a non-string", where)
				return
			}
			ps = append(ps, s)
		}
	default:
		c.bad("%s: path is neither a string nor an array of strings", where)
		return
	}
	urls := 0
	for _, p := range ps {
		if isURL(p) {
			urls++
			continue
		}
		if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || path.Clean(p) != p {
			c.bad("%s: path %q is not a clean relative POSIX path", where, p)
			continue
		}
		for _, part := range strings.Split(p, "/") {
			if part == ".." || strings.HasPrefix(part, ".") {
				c.bad("%s: path %q leaves the folder or names a hidden file", where, p)
				break
			}
		}
	}
	if urls > 0 && urls < len(ps) {
		c.bad("%s: path mixes URLs and relative paths", where)
	}
}

func isURL(p string) bool {
	for _, s := range []string{"http://", "https://", "ftp://", "ftps://"} {
		if strings.HasPrefix(p, s) {
			return true
		}
	}
	return false
}

func (c *checker) schema(where string, s map[string]any, all map[string]map[string]bool) {
	fs, ok := s["fields"].([]any)
	if !ok {
		c.bad("%s: schema.fields must be an array", where)
		return
	}
	names := map[string]bool{}
	for j, f := range fs {
		m, ok := f.(map[string]any)
		if !ok {
			c.bad("%s: fields[%d] is not an object", where, j)
			continue
		}
		n, ok := m["name"].(string)
		if !ok || n == "" {
			c.bad("%s: fields[%d] has no name", where, j)
			continue
		}
		if names[n] {
			c.bad("%s: field %q is named twice", where, n)
		}
		names[n] = true
		if t, ok := m["type"]; ok {
			if ts, ok := t.(string); !ok || !fieldTypes[ts] {
				c.bad("%s: field %s has type %v, which Table Schema does not define", where, n, t)
			}
		}
		if con, ok := m["constraints"]; ok {
			cm, ok := con.(map[string]any)
			if !ok {
				c.bad("%s: field %s: constraints is not an object", where, n)
			} else if req, ok := cm["required"]; ok {
				if _, ok := req.(bool); !ok {
					c.bad("%s: field %s: constraints.required is not a boolean", where, n)
				}
			}
		}
	}
	if pk, ok := s["primaryKey"]; ok {
		for _, k := range c.keyList(where+": primaryKey", pk) {
			if !names[k] {
				c.bad("%s: primary key field %q is not a field", where, k)
			}
		}
	}
	fks, ok := s["foreignKeys"]
	if !ok {
		return
	}
	list, ok := fks.([]any)
	if !ok {
		c.bad("%s: foreignKeys is not an array", where)
		return
	}
	for j, fk := range list {
		m, ok := fk.(map[string]any)
		if !ok {
			c.bad("%s: foreignKeys[%d] is not an object", where, j)
			continue
		}
		from := c.keyList(fmt.Sprintf("%s: foreignKeys[%d].fields", where, j), m["fields"])
		for _, k := range from {
			if !names[k] {
				c.bad("%s: foreign key field %q is not a field", where, k)
			}
		}
		ref, ok := m["reference"].(map[string]any)
		if !ok {
			c.bad("%s: foreignKeys[%d] has no reference object", where, j)
			continue
		}
		target := names
		if rn, ok := ref["resource"]; ok && rn != "" {
			s, _ := rn.(string)
			if target, ok = all[s]; !ok {
				c.bad("%s: foreign key refers to resource %v, which the package does not have", where, rn)
				continue
			}
		}
		to := c.keyList(fmt.Sprintf("%s: foreignKeys[%d].reference.fields", where, j), ref["fields"])
		if len(to) != len(from) {
			c.bad("%s: foreignKeys[%d] has %d fields but its reference %d", where, j, len(from), len(to))
		}
		for _, k := range to {
			if !target[k] {
				c.bad("%s: foreign key refers to field %q, which the referenced resource does not have", where, k)
			}
		}
	}
}

// keyList reads a key: an array of strings (or, as version 1 allowed, one
// string).
func (c *checker) keyList(where string, v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				c.bad("%s holds a non-string", where)
				return nil
			}
			out = append(out, s)
		}
		if len(out) == 0 {
			c.bad("%s is empty", where)
		}
		return out
	}
	c.bad("%s must be an array of field names", where)
	return nil
}
