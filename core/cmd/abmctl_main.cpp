#include "cli/abmctl.hpp"

int main(int argc, char** argv) { return abm::cli::runAbmctl(argc, argv); }
