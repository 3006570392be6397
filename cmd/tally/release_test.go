package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tally/pipeline"
	"tally/sinks"
)

// These tests run the tally program that TestMain puts on $PATH as a
// separate process, stop it at a named point with TALLY_TEST_PAUSE (see
// testPause), and kill or interrupt it there.

// demoDir copies the demo's spec and protocol into a new folder and
// returns it; the release goes to its "out".
func demoDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"pipeline.yaml", "protocol-long.csv"} {
		b, err := os.ReadFile(filepath.Join(kzDir(t), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// changeInput edits the protocol so that the next run makes a different
// release (and finds that the votes no longer sum).
func changeInput(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "protocol-long.csv")
	b, _ := os.ReadFile(p)
	s := strings.Replace(string(b), ",Auyl,383023,", ",Auyl,383123,", 1)
	if s == string(b) {
		t.Fatal("the demo protocol changed; update changeInput")
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// proc is a tally process started by a test.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	stderr bytes.Buffer
	stdout bytes.Buffer
	lines  chan string
	done   chan struct{}
}

// start starts tally in dir, to pause at a point ("" for none).
func start(t *testing.T, dir, pause string, args ...string) *proc {
	t.Helper()
	return startIn(t, dir, []string{"TALLY_TEST_PAUSE=" + pause}, args...)
}

// startEnv starts tally in the test's folder with extra environment.
func startEnv(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	return startIn(t, "", env, args...)
}

func startIn(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	bin, err := exec.LookPath("tally")
	if err != nil {
		t.Fatalf("tally is not on $PATH (TestMain puts it there): %v", err)
	}
	p := &proc{cmd: exec.Command(bin, args...), lines: make(chan string, 100), done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Env = append(append(os.Environ(), "SOURCE_DATE_EPOCH=", "TALLY_TEST_PAUSE="), env...)
	p.cmd.Stdout = &p.stdout
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			p.mu.Lock()
			p.stderr.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		close(p.done)
	}()
	return p
}

// waitFor waits until the process writes a stderr line containing s.
func (p *proc) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, s) {
				return
			}
		case <-p.done:
			t.Fatalf("tally ended before saying %q; stderr:\n%s", s, p.errText())
		case <-deadline:
			t.Fatalf("tally did not say %q within a minute; stderr:\n%s", s, p.errText())
		}
	}
}

func (p *proc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

// wait waits for the process to end and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	err := p.cmd.Wait()
	<-p.done
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatal(err)
	return -1
}

// runTally runs tally to the end in dir and returns its exit code.
func runTally(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	p := start(t, dir, "", args...)
	p.stdin.Close()
	code := p.wait(t)
	return code, p.errText()
}

// snapshot returns every file of a release with its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func names(dir string) []string {
	es, _ := os.ReadDir(dir)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// A run killed (SIGKILL) at any point leaves the previous release whole,
// or, once the new one is in place, the new one whole; tally verify passes
// on it; and the next run clears what the killed one left and succeeds.
func TestKilledRunLeavesRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	points := []string{pipeline.PauseLocked, pipeline.PauseWriting, pipeline.PauseWritten, pipeline.PauseManifest, pipeline.PauseSwapped}
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			dir := demoDir(t)
			if code, stderr := runTally(t, dir, "run", "pipeline.yaml", "--out", "out"); code != 0 {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			old := snapshot(t, filepath.Join(dir, "out"))
			changeInput(t, dir)

			p := start(t, dir, point, "run", "pipeline.yaml", "--out", "out")
			p.waitFor(t, "paused at "+point)
			if err := p.cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			p.wait(t)
			// The kill left its temporary folder (and lock file) behind.
			if got := strings.Join(names(dir), " "); !strings.Contains(got, ".out.tmp-") || !strings.Contains(got, ".out.lock") {
				t.Errorf("after a kill at %s the folder holds %s; want the run's leftovers", point, got)
			}

			now := snapshot(t, filepath.Join(dir, "out"))
			if point == pipeline.PauseSwapped {
				if sameFiles(old, now) {
					t.Error("killed after the swap, yet the previous release is in place")
				}
			} else if !sameFiles(old, now) {
				t.Errorf("killed at %s: the previous release changed", point)
			}
			if code, stderr := runTally(t, dir, "verify", "out"); code != 0 {
				t.Errorf("verify after a kill at %s: exit %d\n%s", point, code, stderr)
			}
			// The next run clears the leftovers and writes the new release
			// (exit 1: the changed input has a finding), or finds it
			// already in place.
			code, stderr := runTally(t, dir, "run", "pipeline.yaml", "--out", "out")
			switch {
			case point == pipeline.PauseSwapped && (code != 0 || !strings.Contains(stderr, "up to date")):
				t.Errorf("run after a kill once the release was in place: exit %d, want 0 and up to date\n%s", code, stderr)
			case point != pipeline.PauseSwapped && code != ExitFindings:
				t.Errorf("run after the kill: exit %d, want 1\n%s", code, stderr)
			}
			if got := strings.Join(names(dir), " "); got != "out pipeline.yaml protocol-long.csv" {
				t.Errorf("left in the folder: %s", got)
			}
			if code, stderr := runTally(t, dir, "verify", "out"); code != 0 {
				t.Errorf("verify after the next run: exit %d\n%s", code, stderr)
			}
		})
	}
}

// SIGTERM (and SIGINT) cancel the run: it removes its temporary folder
// and its lock, exits 4, and leaves the previous release as it was.
func TestInterruptedRunCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := demoDir(t)
			if code, stderr := runTally(t, dir, "run", "pipeline.yaml", "--out", "out"); code != 0 {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			old := snapshot(t, filepath.Join(dir, "out"))
			changeInput(t, dir)
			p := start(t, dir, pipeline.PauseWriting, "run", "pipeline.yaml", "--out", "out")
			p.waitFor(t, "paused at writing")
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != ExitInternal {
				t.Errorf("interrupted run: exit %d, want %d", code, ExitInternal)
			}
			if !strings.Contains(p.errText(), "interrupted; the output folder is left as it was") {
				t.Errorf("stderr does not say it was interrupted:\n%s", p.errText())
			}
			if !sameFiles(old, snapshot(t, filepath.Join(dir, "out"))) {
				t.Error("the previous release changed")
			}
			if got := strings.Join(names(dir), " "); got != "out pipeline.yaml protocol-long.csv" {
				t.Errorf("left in the folder: %s", got)
			}
		})
	}
}

// Two runs on one folder: the second exits 5 at once, or with --wait
// waits for the first and then runs.
func TestConcurrentRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := demoDir(t)
	first := start(t, dir, pipeline.PauseWriting, "run", "pipeline.yaml", "--out", "out")
	first.waitFor(t, "paused at writing")

	code, stderr := runTally(t, dir, "run", "pipeline.yaml", "--out", "out")
	if code != ExitLocked {
		t.Errorf("second run: exit %d, want %d\n%s", code, ExitLocked, stderr)
	}
	if !strings.Contains(stderr, "another tally run is writing this output folder") || !strings.Contains(stderr, "--wait") {
		t.Errorf("second run's message:\n%s", stderr)
	}

	waiting := start(t, dir, "", "run", "pipeline.yaml", "--out", "out", "--wait", "--force", "--json")
	waiting.stdin.Close()
	waiting.waitFor(t, "waiting for another run to finish")
	first.stdin.Close() // the first run goes on
	if code := first.wait(t); code != 0 {
		t.Errorf("first run: exit %d\n%s", code, first.errText())
	}
	if code := waiting.wait(t); code != 0 {
		t.Errorf("waiting run: exit %d\n%s", code, waiting.errText())
	}
	var js jsonSummary
	if err := json.Unmarshal(waiting.stdout.Bytes(), &js); err != nil || js.Status != "success" || len(js.Outputs) != 15 {
		t.Errorf("waiting run's summary: %v %+v", err, js)
	}
	// A third run finds the release up to date.
	third := start(t, dir, "", "run", "pipeline.yaml", "--out", "out", "--json")
	third.stdin.Close()
	if code := third.wait(t); code != 0 {
		t.Errorf("third run: exit %d", code)
	}
	js = jsonSummary{}
	if err := json.Unmarshal(third.stdout.Bytes(), &js); err != nil || js.Status != "skipped" || js.Outputs[0].SHA256 == "" {
		t.Errorf("third run's summary: %v %+v", err, js)
	}
	if code, stderr := runTally(t, dir, "verify", "out"); code != 0 {
		t.Errorf("verify: exit %d\n%s", code, stderr)
	}
	if got := strings.Join(names(dir), " "); got != "out pipeline.yaml protocol-long.csv" {
		t.Errorf("left in the folder: %s", got)
	}
	if _, err := sinks.ReadManifest(filepath.Join(dir, "out")); err != nil {
		t.Error(err)
	}
}
