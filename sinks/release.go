package sinks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrLocked is the cause when another run holds the lock of an output
// folder.
var ErrLocked = errors.New("another tally run is writing this output folder")

// ErrNotRelease is the cause when an output folder exists, is not empty and
// holds no datapackage.json: tally replaces its output folder whole, so it
// will not take over a folder of other files.
var ErrNotRelease = errors.New("the folder holds files but no datapackage.json; tally replaces its output folder whole, so name a new or empty folder, or a release tally wrote")

// Release is the next release of an output folder, written into a
// temporary folder beside it and moved into place whole by Commit.
//
// Beside an output folder DIR, a run uses three names: .DIR.lock (the
// lock, held from OpenRelease to Close and removed by Close), .DIR.tmp-*
// (the release being written) and .DIR.old-* (the previous release while
// it is moved out, where the file system cannot exchange two folders in
// one step). A run killed at any moment leaves DIR as it was or as the
// new release, never a mix; OpenRelease removes what a killed run left
// behind.
type Release struct {
	// Dir is the output folder (absolute, symbolic links resolved).
	Dir string
	// Removed lists what OpenRelease cleared away: folders a killed run
	// left behind, or a previous release it put back.
	Removed []string
	// Hook, when set, is called with "swapped" once the new release is
	// in place and before the previous one is removed (tests pause there).
	Hook func(point string)

	tmp      string
	lock     *flock.Flock
	lockPath string
}

// OpenRelease locks the output folder dir and makes the temporary folder
// the next release is written into. When another run holds the lock it
// fails with ErrLocked, or with wait set waits for it (until ctx ends).
func OpenRelease(ctx context.Context, dir string, wait bool) (*Release, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, err
		}
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	r := &Release{Dir: abs, lockPath: filepath.Join(parent, "."+base+".lock")}
	if err := r.takeLock(ctx, wait); err != nil {
		return nil, err
	}
	if err := r.recover(); err != nil {
		r.Close()
		return nil, err
	}
	if err := checkReleaseDir(abs); err != nil {
		r.Close()
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err == nil {
		err = os.Chmod(tmp, 0o755)
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	r.tmp = tmp
	return r, nil
}

// takeLock locks .DIR.lock. The lock file is removed by whoever holds it
// when done, so after locking, the file locked must still be the one the
// name leads to; if not, another run removed it meanwhile and the lock is
// taken again on the new file.
func (r *Release) takeLock(ctx context.Context, wait bool) error {
	for {
		l := flock.New(r.lockPath, flock.SetPermissions(0o644))
		var ok bool
		var err error
		if wait {
			ok, err = l.TryLockContext(ctx, 100*time.Millisecond)
		} else {
			ok, err = l.TryLock()
		}
		if err != nil {
			l.Close()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s: cannot lock: %w", r.lockPath, err)
		}
		if !ok {
			l.Close()
			return fmt.Errorf("%s: %w (lock file %s); wait for it, or pass --wait", r.Dir, ErrLocked, r.lockPath)
		}
		held, err1 := l.Stat()
		named, err2 := os.Stat(r.lockPath)
		if err1 == nil && err2 == nil && os.SameFile(held, named) {
			r.lock = l
			return nil
		}
		l.Close()
	}
}

// recover clears what a killed run left beside the output folder. A
// previous release moved out (.DIR.old-*) while the folder itself is
// missing goes back into place; every other leftover is removed.
func (r *Release) recover() error {
	parent, base := filepath.Dir(r.Dir), filepath.Base(r.Dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	// Names are matched by prefix, not as glob patterns: a folder may be
	// called "out[1]".
	var olds, tmps []string
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasPrefix(name, "."+base+".old-"):
			olds = append(olds, filepath.Join(parent, name))
		case strings.HasPrefix(name, "."+base+".tmp-"):
			tmps = append(tmps, filepath.Join(parent, name))
		}
	}
	if _, err := os.Lstat(r.Dir); errors.Is(err, fs.ErrNotExist) {
		for i, old := range olds {
			if _, err := os.Stat(filepath.Join(old, ManifestName)); err == nil {
				if err := os.Rename(old, r.Dir); err != nil {
					return err
				}
				r.Removed = append(r.Removed, old+" (put back as "+r.Dir+")")
				olds = append(olds[:i:i], olds[i+1:]...)
				break
			}
		}
	}
	for _, p := range append(olds, tmps...) {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		r.Removed = append(r.Removed, p)
	}
	return nil
}

// checkReleaseDir accepts a missing folder, an empty one, or one that
// holds a manifest.
func checkReleaseDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: exists and is not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s: %w", dir, ErrNotRelease)
	}
	return nil
}

// Path is the temporary folder to write the release into.
func (r *Release) Path() string { return r.tmp }

// Commit moves the release into place: the output folder now holds
// exactly what was written into Path. The previous release, if any, is
// removed. Commit does not release the lock; Close does.
func (r *Release) Commit() error {
	if r.tmp == "" {
		return errors.New("release already committed or aborted")
	}
	if err := syncTree(r.tmp); err != nil {
		return err
	}
	parent, base := filepath.Dir(r.Dir), filepath.Base(r.Dir)
	old := ""
	if _, err := os.Lstat(r.Dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(r.tmp, r.Dir); err != nil {
			return err
		}
	} else if err := exchange(r.tmp, r.Dir); err == nil {
		old = r.tmp // the previous release, now under the temporary name
	} else if errors.Is(err, errNoExchange) {
		// Two renames: a kill between them leaves the previous release
		// as .DIR.old-*, which the next OpenRelease puts back.
		if old, err = os.MkdirTemp(parent, "."+base+".old-"); err != nil {
			return err
		}
		if err := os.Rename(r.Dir, old); err != nil {
			os.Remove(old)
			return err
		}
		if err := os.Rename(r.tmp, r.Dir); err != nil {
			os.Rename(old, r.Dir)
			return err
		}
	} else {
		return err
	}
	r.tmp = ""
	if r.Hook != nil {
		r.Hook("swapped")
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return err
		}
	}
	return syncDir(parent)
}

// Abort removes the temporary folder and releases the lock; the output
// folder is left as it was.
func (r *Release) Abort() {
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
		r.tmp = ""
	}
	r.Close()
}

// Close removes the temporary folder if it is still there, then removes
// the lock file and releases the lock. It may be called more than once.
func (r *Release) Close() error {
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
		r.tmp = ""
	}
	if r.lock == nil {
		return nil
	}
	// Remove before unlocking: a run waiting on this file then sees that
	// the name leads elsewhere and locks again (see takeLock).
	err := os.Remove(r.lockPath)
	if cerr := r.lock.Close(); err == nil {
		err = cerr
	}
	r.lock = nil
	return err
}

// syncTree flushes every folder under root (files are synced as they are
// closed), so the release is on disk before it is moved into place.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return syncDir(p)
		}
		return nil
	})
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// errNoExchange says the file system cannot swap two folders in one step.
var errNoExchange = errors.New("cannot exchange folders")
