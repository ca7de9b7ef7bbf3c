// The pod sandbox's first process: holds the pod's namespaces, reaps orphans, exits on SIGINT/SIGTERM.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { (void)sig; _exit(0); }

// Orphaned children re-parent to PID 1 when the pod shares its PID namespace; reap them.
static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  if (getpid() != 1) {
    static const char msg[] = "pause: warning: not running as PID 1\n";
    (void)!write(2, msg, sizeof msg - 1);
  }
  struct sigaction stop = {.sa_handler = on_stop};
  struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  sigaction(SIGINT, &stop, 0);
  sigaction(SIGTERM, &stop, 0);
  sigaction(SIGCHLD, &child, 0);
  for (;;) pause();
}
