-- Argo CD health of a vernier.dev InferenceService: Healthy once the measured SLA holds for the current spec.
local hs = {}
local generation = obj.metadata.generation

local function condition(kind)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind then
        return c
      end
    end
  end
  return nil
end

-- A condition written for an older spec says nothing about this one.
local function current(c)
  return c ~= nil and c.observedGeneration == generation
end

local function result(status, message)
  hs.status = status
  hs.message = message
  return hs
end

if obj.status == nil or obj.status.observedGeneration ~= generation then
  return result("Progressing", "waiting for the operator to observe generation " .. tostring(generation))
end

local ready = condition("Ready")
local benchmarked = condition("Benchmarked")
local sla = condition("SLAMet")

if current(ready) and ready.reason == "InvalidSpec" then
  return result("Degraded", ready.message or "the spec is invalid")
end
if current(sla) and sla.status == "True" then
  return result("Healthy", sla.message or "SLA met")
end
if current(sla) and sla.status == "False" then
  return result("Degraded", (sla.reason or "SLAMissed") .. ": " .. (sla.message or "the SLA is not met"))
end
if current(benchmarked) and benchmarked.reason == "BenchmarkFailed" then
  return result("Degraded", "BenchmarkFailed: " .. (benchmarked.message or "the benchmark failed"))
end
if current(ready) and ready.reason == "DeploymentFailed" then
  return result("Degraded", "DeploymentFailed: " .. (ready.message or "the server Deployment failed"))
end
if current(benchmarked) and benchmarked.message ~= nil then
  return result("Progressing", benchmarked.message)
end
return result("Progressing", "waiting for a benchmark of generation " .. tostring(generation))
