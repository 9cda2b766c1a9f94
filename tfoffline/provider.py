"""A stand-in Terraform provider: serves one provider's exact schema over the plugin protocol (v6) and
simulates plan and apply, so real Terraform can validate and plan the synthesized stacks offline.

Terraform launches it as terraform-provider-<name> (harness.py writes that launcher):
``python -m tfoffline.provider NAME``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path
from typing import Any, Final

import grpc

from tfoffline import crds, protocol, schemas, values

MAGIC_COOKIE_KEY: Final = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE: Final = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
DESCRIPTORS_ENV: Final = "TFOFFLINE_DESCRIPTORS"
ERROR: Final = 1


class StandInProvider:
    """The tfplugin6.Provider service for one provider, answering from its vendored schema."""

    def __init__(self, name: str, messages: dict[str, Any]) -> None:
        self.name = name
        self.m = messages
        self.schema = schemas.load(name)
        self._schema_response: Any = None

    # --- helpers -------------------------------------------------------------------------------------------
    def _block(self, type_name: str, section: str) -> dict[str, Any]:
        block: dict[str, Any] = self.schema[section][type_name]["block"]
        return block

    def _dynamic(self, value: Any) -> Any:
        return self.m["tfplugin6.DynamicValue"](msgpack=values.encode(value))

    def _diagnostic(self, summary: str, detail: str = "") -> Any:
        return self.m["tfplugin6.Diagnostic"](severity=ERROR, summary=summary, detail=detail)

    def _manifest_diagnostics(self, type_name: str, config: Any) -> list[Any]:
        """kubernetes_manifest: check the manifest against its kind's CRD schema once it is wholly known."""
        if type_name != "kubernetes_manifest" or not isinstance(config, dict):
            return []
        manifest = config.get("manifest")
        if not isinstance(manifest, list) or not _wholly_known(manifest[1]):
            return []
        errors = crds.manifest_errors(manifest[1])
        if not errors:
            return []
        kind = manifest[1].get("kind", "?") if isinstance(manifest[1], dict) else "?"
        return [
            self._diagnostic(f"Invalid {kind} manifest: does not match its CRD schema", "\n".join(errors))
        ]

    # --- schema and configuration --------------------------------------------------------------------------
    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        if self._schema_response is None:
            response = self.m["tfplugin6.GetProviderSchema.Response"]()
            response.provider.CopyFrom(schemas.to_proto(self.m, self.schema["provider"]))
            for key in ("resource_schemas", "data_source_schemas"):
                for type_name, spec in self.schema[key].items():
                    getattr(response, key)[type_name].CopyFrom(schemas.to_proto(self.m, spec))
            self._schema_response = response
        return self._schema_response

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.GetMetadata.Response"](
            resources=[
                self.m["tfplugin6.GetMetadata.ResourceMetadata"](type_name=t)
                for t in self.schema["resource_schemas"]
            ],
            data_sources=[
                self.m["tfplugin6.GetMetadata.DataSourceMetadata"](type_name=t)
                for t in self.schema["data_source_schemas"]
            ],
        )

    def GetResourceIdentitySchemas(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.GetResourceIdentitySchemas.Response"]()

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.ValidateProviderConfig.Response"]()

    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.ConfigureProvider.Response"]()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        config = values.decode(request.config.msgpack)
        return self.m["tfplugin6.ValidateResourceConfig.Response"](
            diagnostics=self._manifest_diagnostics(request.type_name, config)
        )

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.ValidateDataResourceConfig.Response"]()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.StopProvider.Response"]()

    # --- state ---------------------------------------------------------------------------------------------
    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.UpgradeResourceState.Response"](
            upgraded_state=self.m["tfplugin6.DynamicValue"](json=request.raw_state.json)
        )

    def ReadResource(self, request: Any, context: Any) -> Any:
        return self.m["tfplugin6.ReadResource.Response"](
            new_state=request.current_state, private=request.private
        )

    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        proposed = values.decode(request.proposed_new_state.msgpack)
        prior = values.decode(request.prior_state.msgpack)
        config = values.decode(request.config.msgpack)
        diagnostics = self._manifest_diagnostics(request.type_name, config)
        block = self._block(request.type_name, "resource_schemas")
        if prior is None and proposed is not None:  # create: the provider would compute what is left null
            proposed = values.mark_computed_unknown(proposed, block)
        proposed = values.null_write_only(proposed, block)
        return self.m["tfplugin6.PlanResourceChange.Response"](
            planned_state=self._dynamic(proposed),
            planned_private=request.prior_private,
            diagnostics=diagnostics,
        )

    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        planned = values.decode(request.planned_state.msgpack)
        block = self._block(request.type_name, "resource_schemas")
        applied = values.null_write_only(values.fill_placeholders(planned, block, null_computed=False), block)
        if request.type_name == "aws_acm_certificate" and applied is not None:
            applied["domain_validation_options"] = _validation_options(applied)
        return self.m["tfplugin6.ApplyResourceChange.Response"](
            new_state=self._dynamic(applied),
            private=request.planned_private,
        )

    def ReadDataSource(self, request: Any, context: Any) -> Any:
        config = values.decode(request.config.msgpack)
        block = self._block(request.type_name, "data_source_schemas")
        return self.m["tfplugin6.ReadDataSource.Response"](
            state=self._dynamic(values.fill_placeholders(config, block, null_computed=True))
        )


def _validation_options(certificate: dict[str, Any]) -> list[dict[str, str]]:
    """What ACM returns for a DNS-validated certificate: one validation record per name it covers (the
    domain and each alternative name), so configurations that pick a name's record can be applied."""
    alternatives = certificate.get("subject_alternative_names") or []
    named = [name for name in alternatives if name != values.PLACEHOLDER_STRING]
    names = [certificate["domain_name"], *named]
    return [
        {
            "domain_name": name,
            "resource_record_name": f"_validation.{name}.",
            "resource_record_type": "CNAME",
            "resource_record_value": "_placeholder.acm-validations.aws.",
        }
        for name in sorted(set(names))
    ]


def _wholly_known(value: Any) -> bool:
    if values.is_unknown(value):
        return False
    if isinstance(value, dict):
        return all(_wholly_known(v) for v in value.values())
    if isinstance(value, list):
        return all(_wholly_known(v) for v in value)
    return True


def _service_handler(
    service_name: str, implementation: object, messages: dict[str, Any], methods: Any
) -> Any:
    handlers = {}
    for method in methods:
        function = getattr(implementation, method.name, None)
        if function is None:
            continue  # the client gets UNIMPLEMENTED, which Terraform tolerates for optional calls
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            function,
            request_deserializer=messages[method.input_type.full_name].FromString,
            response_serializer=lambda response: response.SerializeToString(),
        )
    return grpc.method_handlers_generic_handler(service_name, handlers)


def serve(name: str) -> None:
    """go-plugin handshake on stdout, then serve until Terraform calls GRPCController.Shutdown."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n")
        raise SystemExit(1)
    from tfoffline.tls import server_identity

    proto = protocol.load(Path(os.environ[DESCRIPTORS_ENV]))
    services = {s.full_name: s for f in proto.files for s in f.services_by_name.values()}
    stopped = threading.Event()

    class Controller:
        def Shutdown(self, request: Any, context: Any) -> Any:
            threading.Timer(0.05, stopped.set).start()
            return proto.messages["plugin.Empty"]()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers(
        (
            _service_handler("tfplugin6.Provider", StandInProvider(name, proto.messages), proto.messages,
                             services["tfplugin6.Provider"].methods),
            _service_handler("plugin.GRPCController", Controller(), proto.messages,
                             services["plugin.GRPCController"].methods),
        )
    )  # fmt: skip
    identity = server_identity()
    # TLS with the server certificate Terraform pins. Terraform's client certificate (PLUGIN_CLIENT_CERT) is
    # ECDSA P-521, a curve grpcio's BoringSSL does not request, so Go never sends it and client auth is not
    # enforced; the socket lives in a 0700 folder of this user, which is what keeps other users out.
    credentials = grpc.ssl_server_credentials([(identity.key_pem, identity.cert_pem)])
    socket_dir = tempfile.mkdtemp(prefix="tfoffline-")
    socket_path = f"{socket_dir}/plugin.sock"
    server.add_secure_port(f"unix:{socket_path}", credentials)
    server.start()
    sys.stdout.write(f"1|6|unix|{socket_path}|grpc|{identity.handshake_cert}\n")
    sys.stdout.flush()
    parent = os.getppid()
    while not stopped.wait(timeout=1.0):
        if os.getppid() != parent:  # Terraform died without a Shutdown call: do not linger
            break
    server.stop(grace=0.5).wait()
    shutil.rmtree(socket_dir, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
