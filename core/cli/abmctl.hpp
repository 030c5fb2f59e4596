// abmctl: the admin's command line over the daemon's config and store.
#pragma once

namespace abm::cli {

int runAbmctl(int argc, char** argv);

}  // namespace abm::cli
