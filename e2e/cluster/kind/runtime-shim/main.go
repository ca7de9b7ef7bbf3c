// vernier-runc-shim: an OCI runtime wrapper for machines whose capability bounding set lacks some capabilities.
//
// TEST INFRASTRUCTURE ONLY, never part of the Vernier product. It exists because some sandboxes (Firecracker
// VMs, nested containers) start every process without, e.g., CAP_SYS_RESOURCE in the bounding set, and then
// `runc create` of a privileged container (all capabilities) fails with
// "unable to apply caps: operation not permitted". kind's node containers are privileged, and so are some
// pods inside them (kube-proxy). This wrapper removes, from every capability set of the container's process,
// the capabilities this process's own bounding set lacks (they could never be granted anyway), then execs the
// real runc with the same arguments. On a machine with a full bounding set it changes nothing.
//
// Registered as dockerd's default runtime (/etc/docker/daemon.json) and as the BinaryName of the runc
// runtime in the kind node's containerd (e2e/cluster/kind/setup.sh, e2e/cluster/kind/build-node-image.sh).
//
// Handles `create` and `run` (the bundle's config.json, --bundle/-b or the working directory) and
// `exec --process FILE` (a process JSON). The real runc is $VERNIER_REAL_RUNC, else the first of
// /usr/sbin/runc, /usr/bin/runc, /usr/local/sbin/runc that exists.
//
// Build: CGO_ENABLED=0 go build -trimpath -ldflags=-s -o vernier-runc-shim main.go
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Linux capability numbers (linux/capability.h), as named in OCI runtime specs.
var capNumbers = map[string]uint{
	"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3, "CAP_FSETID": 4,
	"CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8, "CAP_LINUX_IMMUTABLE": 9,
	"CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11, "CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13,
	"CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15, "CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18,
	"CAP_SYS_PTRACE": 19, "CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
	"CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27, "CAP_LEASE": 28,
	"CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31, "CAP_MAC_OVERRIDE": 32,
	"CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35, "CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37,
	"CAP_PERFMON": 38, "CAP_BPF": 39, "CAP_CHECKPOINT_RESTORE": 40,
}

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "vernier-runc-shim: "+format+"\n", args...)
	os.Exit(1)
}

func boundingSet() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		die("reading /proc/self/status: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "CapBnd:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				die("parsing CapBnd %q: %v", v, err)
			}
			return n
		}
	}
	die("no CapBnd line in /proc/self/status")
	return 0
}

// allowed reports whether capability name is in the bounding set (unknown names are kept: runc decides).
func allowed(bnd uint64, name string) bool {
	n, ok := capNumbers[strings.ToUpper(name)]
	return !ok || bnd&(1<<n) != 0
}

// filterCaps drops absent capabilities from each set of a process object's "capabilities".
func filterCaps(process map[string]any, bnd uint64) bool {
	caps, ok := process["capabilities"].(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for set, v := range caps {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, c := range list {
			if name, ok := c.(string); ok && !allowed(bnd, name) {
				changed = true
				continue
			}
			kept = append(kept, c)
		}
		caps[set] = kept
	}
	return changed
}

// rewrite applies filterCaps to the JSON file at path; inner selects the process object (config.json: "process").
func rewrite(path string, inner string, bnd uint64) {
	data, err := os.ReadFile(path)
	if err != nil {
		die("reading %s: %v", path, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		die("parsing %s: %v", path, err)
	}
	process := doc
	if inner != "" {
		p, ok := doc[inner].(map[string]any)
		if !ok {
			return
		}
		process = p
	}
	if !filterCaps(process, bnd) {
		return
	}
	out, err := json.Marshal(doc)
	if err != nil {
		die("encoding %s: %v", path, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		die("stat %s: %v", path, err)
	}
	tmp := path + ".vernier-shim.tmp"
	if err := os.WriteFile(tmp, out, info.Mode().Perm()); err != nil {
		die("writing %s: %v", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		die("replacing %s: %v", path, err)
	}
}

// flagValue finds "--name VALUE", "--name=VALUE", "-n VALUE" or "-n=VALUE" among args.
func flagValue(args []string, long, short string) string {
	for i, a := range args {
		for _, f := range []string{long, short} {
			if f == "" {
				continue
			}
			if a == f && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, f+"="); ok {
				return v
			}
		}
	}
	return ""
}

// runc's global options that take a value (everything else before the subcommand is a boolean flag).
var globalWithValue = map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}

func realRunc() string {
	if p := os.Getenv("VERNIER_REAL_RUNC"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	die("no runc found (set VERNIER_REAL_RUNC)")
	return ""
}

func main() {
	args := os.Args[1:]
	sub := -1
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			sub = i
			break
		}
		if globalWithValue[a] {
			i++
		}
	}
	if sub >= 0 {
		rest := args[sub+1:]
		switch args[sub] {
		case "create", "run":
			bundle := flagValue(rest, "--bundle", "-b")
			if bundle == "" {
				bundle = "."
			}
			rewrite(filepath.Join(bundle, "config.json"), "process", boundingSet())
		case "exec":
			if p := flagValue(rest, "--process", "-p"); p != "" {
				rewrite(p, "", boundingSet())
			}
		}
	}
	runc := realRunc()
	if err := syscall.Exec(runc, append([]string{runc}, args...), os.Environ()); err != nil {
		die("exec %s: %v", runc, err)
	}
}
