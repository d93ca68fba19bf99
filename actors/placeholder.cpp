// The actors library grows with the session runtime (issue 4).
namespace arbor::detail {
int actors_placeholder = 0;
}
